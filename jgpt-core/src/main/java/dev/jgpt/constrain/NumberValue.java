package dev.jgpt.constrain;

/**
 * A JSON number ({@code -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?}), or an integer (no
 * fraction, no exponent). Digits are bounded (15 before the point, 15 after it, 3 in the exponent)
 * so that every number written reads back as a double without loss of its order of magnitude.
 */
final class NumberValue extends ValueType {
    private static final int MAX_DIGITS = 15;
    private static final int MAX_EXPONENT_DIGITS = 3;
    private final boolean integer;

    NumberValue(boolean integer) {
        this.integer = integer;
    }

    @Override
    State start(State after) {
        return new Reading(Phase.START, 0, after);
    }

    @Override
    int shortest() {
        return 1;
    }

    /** Where in the number: the phases marked final may end it. */
    private enum Phase {
        START(false), MINUS(false), ZERO(true), INT(true), DOT(false), FRACTION(true), E(false), SIGN(false), EXPONENT(true);

        final boolean isFinal;

        Phase(boolean isFinal) {
            this.isFinal = isFinal;
        }
    }

    private final class Reading extends State {
        private final Phase phase;
        private final int digits;

        Reading(Phase phase, int digits, State after) {
            super(after, phase.isFinal ? 0 : 1);
            this.phase = phase;
            this.digits = digits;
        }

        @Override
        public State next(int c) {
            boolean digit = c >= '0' && c <= '9';
            boolean e = (c == 'e' || c == 'E') && !integer;
            State moved = switch (phase) {
                case START -> c == '-' ? to(Phase.MINUS, 0) : digit ? firstDigit(c) : null;
                case MINUS -> digit ? firstDigit(c) : null;
                case ZERO -> c == '.' && !integer ? to(Phase.DOT, 0) : e ? to(Phase.E, 0) : null;
                case INT -> digit && digits < MAX_DIGITS ? to(Phase.INT, digits + 1)
                        : c == '.' && !integer ? to(Phase.DOT, 0) : e ? to(Phase.E, 0) : null;
                case DOT -> digit ? to(Phase.FRACTION, 1) : null;
                case FRACTION -> digit && digits < MAX_DIGITS ? to(Phase.FRACTION, digits + 1) : e ? to(Phase.E, 0) : null;
                case E -> c == '+' || c == '-' ? to(Phase.SIGN, 0) : digit ? to(Phase.EXPONENT, 1) : null;
                case SIGN -> digit ? to(Phase.EXPONENT, 1) : null;
                case EXPONENT -> digit && digits < MAX_EXPONENT_DIGITS ? to(Phase.EXPONENT, digits + 1) : null;
            };
            // the number ends where it cannot go on: the character belongs to what follows
            return moved == null && phase.isFinal ? after.next(c) : moved;
        }

        private State firstDigit(int c) {
            return c == '0' ? to(Phase.ZERO, 0) : to(Phase.INT, 1);
        }

        private State to(Phase p, int d) {
            return new Reading(p, d, after);
        }

        @Override
        public boolean complete() {
            return phase.isFinal && after.complete();
        }

        @Override
        public boolean closed() {
            boolean full = switch (phase) {
                case ZERO -> integer;
                case INT -> integer && digits == MAX_DIGITS;
                case EXPONENT -> digits == MAX_EXPONENT_DIGITS;
                default -> false;
            };
            return full && after.closed();
        }
    }
}
