package dev.jgpt.constrain;

import java.util.ArrayList;
import java.util.List;

/**
 * A value of one of several types ({@code anyOf}, a list of {@code type}s, any JSON value): each
 * alternative reads the value with nothing after it ({@link State.Exit}), and the text goes on
 * after the value once an alternative that could end there meets a character it cannot take.
 */
final class AnyOfValue extends ValueType {
    private final List<ValueType> alternatives;

    AnyOfValue(List<ValueType> alternatives) {
        this.alternatives = alternatives;
    }

    List<ValueType> alternatives() {
        return alternatives;
    }

    @Override
    State start(State after) {
        List<State> alive = new ArrayList<>(alternatives.size());
        for (ValueType t : alternatives) {
            alive.add(t.start(State.Exit.INSTANCE));
        }
        return new Reading(alive, after);
    }

    @Override
    int shortest() {
        return alternatives.stream().mapToInt(t -> t.minLength).min().orElse(TextState.NEVER);
    }

    private static final class Reading extends State {
        private final List<State> alive;

        Reading(List<State> alive, State after) {
            super(after, alive.stream().mapToInt(State::toComplete).min().orElse(TextState.NEVER));
            this.alive = alive;
        }

        @Override
        public State next(int c) {
            List<State> next = new ArrayList<>(alive.size());
            boolean ended = false;
            boolean same = true;
            for (State s : alive) {
                ended |= s.complete();
                State n = s.next(c);
                same &= n == s;
                if (n != null) {
                    next.add(n);
                }
            }
            State ending = ended ? after.next(c) : null;
            if (same && ending == null) {
                return this; // inside a string, say: nothing changed
            }
            State going = next.isEmpty() ? null
                    : next.stream().allMatch(s -> s == State.Exit.INSTANCE) ? after
                    : new Reading(next, after);
            return Union.of(going, ending);
        }

        @Override
        public boolean complete() {
            return alive.stream().anyMatch(State::complete) && after.complete();
        }

        @Override
        public boolean inStringBody() {
            for (State s : alive) {
                if (!s.inStringBody() || s.complete()) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public boolean closed() {
            return alive.stream().allMatch(State::closed) && after.closed();
        }
    }
}
