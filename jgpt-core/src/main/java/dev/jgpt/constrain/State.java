package dev.jgpt.constrain;

import java.util.ArrayList;
import java.util.List;

/**
 * A state inside a JSON value, with {@link #after}: the state that reads what follows the value.
 * The states after a value form the automaton's stack; each state keeps its distance to a
 * complete document, computed once, so that the logits mask reads it for free.
 */
abstract class State implements TextState {
    /** The longest run of whitespace between two tokens of JSON: a model that writes only newlines would never finish. */
    static final int MAX_SPACES = 20;

    final State after;
    private final int distance;

    /** @param own the fewest characters that end this value from here */
    State(State after, int own) {
        this.after = after;
        this.distance = after == null ? own : TextState.add(own, after.toComplete());
    }

    @Override
    public abstract State next(int c);

    @Override
    public boolean complete() {
        return false;
    }

    @Override
    public boolean closed() {
        return false;
    }

    @Override
    public final int toComplete() {
        return distance;
    }

    static boolean isSpace(int c) {
        return c == ' ' || c == '\n' || c == '\t' || c == '\r';
    }

    /** The end of a value with nothing after it: of the document, or of one alternative of an {@code anyOf}. */
    static final class Exit extends State {
        static final Exit INSTANCE = new Exit();

        private Exit() {
            super(null, 0);
        }

        @Override
        public State next(int c) {
            return null;
        }

        @Override
        public boolean complete() {
            return true;
        }

        @Override
        public boolean closed() {
            return true;
        }
    }

    /** Whitespace ({@code run} characters of it so far, at most {@link #MAX_SPACES}), then {@code inner}. */
    static final class Spaces extends State {
        private final State inner;
        private final int run;

        Spaces(State inner, int run) {
            super(null, inner.toComplete());
            this.inner = inner;
            this.run = run;
        }

        @Override
        public State next(int c) {
            return !isSpace(c) ? inner.next(c) : run < MAX_SPACES ? new Spaces(inner, run + 1) : null;
        }
    }

    /** Several readings of the text at once (an enum's values sharing a prefix, a value that may have ended). */
    static final class Union extends State {
        private final List<State> states;

        private Union(List<State> states) {
            super(null, states.stream().mapToInt(State::toComplete).min().orElse(NEVER));
            this.states = states;
        }

        /** The union of the states that are not null: null when none, the state itself when one. */
        static State of(List<State> states) {
            List<State> flat = new ArrayList<>(states.size());
            for (State s : states) {
                if (s instanceof Union u) {
                    flat.addAll(u.states);
                } else if (s != null) {
                    flat.add(s);
                }
            }
            return flat.isEmpty() ? null : flat.size() == 1 ? flat.getFirst() : new Union(flat);
        }

        static State of(State a, State b) {
            return a == null ? b : b == null ? a : of(List.of(a, b));
        }

        @Override
        public State next(int c) {
            List<State> next = new ArrayList<>(states.size());
            boolean same = true;
            for (State s : states) {
                State n = s.next(c);
                same &= n == s;
                next.add(n);
            }
            return same ? this : of(next);
        }

        @Override
        public boolean inStringBody() {
            return states.stream().allMatch(State::inStringBody);
        }

        @Override
        public boolean complete() {
            return states.stream().anyMatch(State::complete);
        }

        @Override
        public boolean closed() {
            return states.stream().allMatch(State::closed);
        }
    }
}
