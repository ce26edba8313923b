package dev.jgpt.constrain;

import java.util.ArrayList;
import java.util.List;

/** One of a fixed set of JSON texts: {@code true}, {@code false}, {@code null}, an {@code enum}'s or a {@code const}'s values. */
final class LiteralValue extends ValueType {
    private final List<int[]> texts;

    /** @param texts the values written as compact JSON */
    LiteralValue(List<String> texts) {
        this.texts = texts.stream().map(t -> t.codePoints().toArray()).toList();
    }

    @Override
    State start(State after) {
        return new Reading(texts, 0, after);
    }

    @Override
    int shortest() {
        return texts.stream().mapToInt(t -> t.length).min().orElse(TextState.NEVER);
    }

    /** The texts that begin with what was read, {@code at} characters so far. */
    private static final class Reading extends State {
        private final List<int[]> alive;
        private final int at;

        Reading(List<int[]> alive, int at, State after) {
            super(after, alive.stream().mapToInt(t -> t.length - at).min().orElse(TextState.NEVER));
            this.alive = alive;
            this.at = at;
        }

        @Override
        public State next(int c) {
            List<int[]> next = new ArrayList<>(alive.size());
            boolean ended = false;
            for (int[] t : alive) {
                if (t.length == at) {
                    ended = true;
                } else if (t[at] == c) {
                    next.add(t);
                }
            }
            State going = next.isEmpty() ? null : next.size() == 1 && next.getFirst().length == at + 1 ? after
                    : new Reading(next, at + 1, after);
            return Union.of(going, ended ? after.next(c) : null);
        }

        @Override
        public boolean complete() {
            return ended() && after.complete();
        }

        @Override
        public boolean closed() {
            return alive.stream().allMatch(t -> t.length == at) && after.closed();
        }

        private boolean ended() {
            return alive.stream().anyMatch(t -> t.length == at);
        }
    }
}
