package dev.jgpt.constrain;

/**
 * What arrays and objects share: an opening bracket, members separated by commas, a closing
 * bracket, whitespace between them. {@code progress} says which members are written (an array's
 * count, an object's set of properties), and the subclass what it allows.
 */
abstract class Container extends ValueType {
    /** OPEN: before the bracket; FIRST: after it; AFTER: after a member; BEFORE: after a comma. */
    enum Phase { OPEN, FIRST, AFTER, BEFORE }

    private final char open;
    private final char close;

    Container(char open, char close) {
        this.open = open;
        this.close = close;
    }

    /** Whether the container may end with the members of {@code progress}. */
    abstract boolean mayClose(long progress);

    /** Whether one more member may follow those of {@code progress}. */
    abstract boolean mayAdd(long progress);

    /** The state after a member's first character {@code c}, or null; {@code after} reads past the container. */
    abstract State member(int c, long progress, State after);

    /** The fewest characters that close the container from {@code phase}. */
    abstract int rest(Phase phase, long progress);

    @Override
    final State start(State after) {
        return new Reading(Phase.OPEN, 0, after);
    }

    @Override
    final int shortest() {
        return rest(Phase.OPEN, 0);
    }

    final class Reading extends State {
        private final Phase phase;
        private final long progress;
        private final int spaces;  // whitespace characters just read

        Reading(Phase phase, long progress, State after) {
            this(phase, progress, 0, after);
        }

        private Reading(Phase phase, long progress, int spaces, State after) {
            super(after, rest(phase, progress));
            this.phase = phase;
            this.progress = progress;
            this.spaces = spaces;
        }

        @Override
        public State next(int c) {
            if (phase == Phase.OPEN) {
                return c == open ? new Reading(Phase.FIRST, progress, after) : null;
            }
            if (isSpace(c)) {
                return spaces < MAX_SPACES ? new Reading(phase, progress, spaces + 1, after) : null;
            }
            if (phase != Phase.BEFORE && c == close) {
                return mayClose(progress) ? after : null;
            }
            if (phase == Phase.AFTER) {
                return c == ',' && mayAdd(progress) ? new Reading(Phase.BEFORE, progress, after) : null;
            }
            return phase == Phase.BEFORE || mayAdd(progress) ? member(c, progress, after) : null;
        }
    }
}
