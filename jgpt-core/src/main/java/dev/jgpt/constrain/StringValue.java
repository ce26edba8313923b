package dev.jgpt.constrain;

/** Any JSON string: {@code "}, characters or escapes, {@code "}. */
final class StringValue extends ValueType {
    @Override
    State start(State after) {
        return new Reading(Phase.OPEN, 0, after);
    }

    @Override
    int shortest() {
        return 2;
    }

    private enum Phase { OPEN, BODY, ESCAPE, HEX }

    private static final class Reading extends State {
        private final Phase phase;
        private final int hexLeft;

        Reading(Phase phase, int hexLeft, State after) {
            super(after, switch (phase) {
                case OPEN, ESCAPE -> 2;
                case BODY -> 1;
                case HEX -> hexLeft + 1;
            });
            this.phase = phase;
            this.hexLeft = hexLeft;
        }

        @Override
        public State next(int c) {
            return switch (phase) {
                case OPEN -> c == '"' ? new Reading(Phase.BODY, 0, after) : null;
                case BODY -> c == '"' ? after : c == '\\' ? new Reading(Phase.ESCAPE, 0, after) : c < 0x20 ? null : this;
                case ESCAPE -> c == 'u' ? new Reading(Phase.HEX, 4, after)
                        : "\"\\/bfnrt".indexOf(c) >= 0 ? new Reading(Phase.BODY, 0, after) : null;
                case HEX -> Character.digit(c, 16) < 0 ? null : new Reading(hexLeft == 1 ? Phase.BODY : Phase.HEX, hexLeft - 1, after);
            };
        }

        @Override
        public boolean inStringBody() {
            return phase == Phase.BODY;
        }
    }
}
