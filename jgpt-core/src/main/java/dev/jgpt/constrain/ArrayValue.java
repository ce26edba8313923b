package dev.jgpt.constrain;

/** A JSON array of {@code items}, with {@code minItems..maxItems} of them. */
final class ArrayValue extends ValueType {
    private final ValueType items;
    private final int minItems;
    private final int maxItems;

    ArrayValue(ValueType items, int minItems, int maxItems) {
        this.items = items;
        this.minItems = minItems;
        this.maxItems = maxItems;
    }

    @Override
    State start(State after) {
        return new Reading(Phase.OPEN, 0, after);
    }

    @Override
    int shortest() {
        return rest(Phase.OPEN, 0);
    }

    /** The fewest characters that close the array from {@code phase} with {@code count} items written. */
    private int rest(Phase phase, int count) {
        long missing = Math.max(minItems - count, phase == Phase.BEFORE ? 1 : 0);
        long itemAndComma = items.minLength + 1L; // each item but the first after '[' comes with a comma
        return switch (phase) {
            case OPEN -> TextState.add(1, rest(Phase.FIRST, 0));
            case FIRST, BEFORE -> missing == 0 ? 1 : clamp(missing * itemAndComma); // the last item's "comma" is ']'
            case AFTER -> clamp(missing * itemAndComma + 1);
        };
    }

    /** OPEN: before '['; FIRST: after it; AFTER: after an item; BEFORE: after a comma. */
    private enum Phase { OPEN, FIRST, AFTER, BEFORE }

    private final class Reading extends State {
        private final Phase phase;
        private final int count;

        Reading(Phase phase, int count, State after) {
            super(after, rest(phase, count));
            this.phase = phase;
            this.count = count;
        }

        @Override
        public State next(int c) {
            return switch (phase) {
                case OPEN -> c == '[' ? new Reading(Phase.FIRST, 0, after) : null;
                case FIRST -> isSpace(c) ? this : c == ']' ? (minItems == 0 ? after : null) : maxItems > 0 ? item(c) : null;
                case AFTER -> isSpace(c) ? this
                        : c == ',' && count < maxItems ? new Reading(Phase.BEFORE, count, after)
                        : c == ']' && count >= minItems ? after : null;
                case BEFORE -> isSpace(c) ? this : item(c);
            };
        }

        private State item(int c) {
            return items.start(new Reading(Phase.AFTER, count + 1, after)).next(c);
        }
    }
}
