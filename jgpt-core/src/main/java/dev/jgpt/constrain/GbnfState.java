package dev.jgpt.constrain;

import dev.jgpt.JgptException;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Where a text stands in a {@link Gbnf} grammar, as llama.cpp's matcher keeps it: the set of
 * stacks of positions in rules that the text so far can be in, each stack's top at a character
 * set. A character moves every stack whose top matches it; the empty stack means the root is
 * done. Stacks are immutable lists sharing their tails. A state remembers the states that follow
 * it, so one sequence's states are for one thread (each sequence starts its own).
 */
final class GbnfState implements TextState {
    /** More stacks than this mean a grammar too ambiguous to follow. */
    private static final int MAX_STACKS = 10_000;

    /** One position in a sequence, over the frame of the rule that referred to it; {@link #EMPTY} ends every stack. */
    private static final class Frame {
        static final Frame EMPTY = new Frame(null, 0, null);
        final Gbnf.Sequence sequence;
        final int at;
        final Frame parent;
        final int distance;
        private final int hash;

        Frame(Gbnf.Sequence sequence, int at, Frame parent) {
            this.sequence = sequence;
            this.at = at;
            this.parent = parent;
            this.distance = sequence == null ? 0 : TextState.add(sequence.suffixMin[at], parent.distance);
            this.hash = sequence == null ? 0 : 31 * (31 * System.identityHashCode(sequence) + at) + parent.hash;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Frame f && f.hash == hash && f.sequence == sequence && f.at == at && Objects.equals(f.parent, parent);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    private final Gbnf grammar;
    private final Frame[] stacks;
    private final Set<Frame> stackSet;
    private final int distance;
    /** The states after the characters tried so far: the mask asks the same state about many tokens. */
    private Map<Integer, TextState> nextByChar;
    private Boolean stringBody;

    private GbnfState(Gbnf grammar, Set<Frame> stacks) {
        this.grammar = grammar;
        this.stacks = stacks.toArray(Frame[]::new);
        this.stackSet = stacks;
        int best = NEVER;
        for (Frame f : this.stacks) {
            best = Math.min(best, f.distance);
        }
        this.distance = best;
    }

    static GbnfState start(Gbnf grammar, int root) {
        Set<Frame> stacks = new LinkedHashSet<>();
        for (Gbnf.Sequence alternative : grammar.rules.get(root)) {
            expand(grammar, new Frame(alternative, 0, Frame.EMPTY), stacks);
        }
        return new GbnfState(grammar, stacks);
    }

    /** Adds the stacks {@code frame} stands for once every rule at its top is entered, each topped by a character set. */
    private static void expand(Gbnf grammar, Frame frame, Set<Frame> into) {
        if (frame.sequence == null) {
            into.add(frame);
            return;
        }
        if (frame.at == frame.sequence.elements.length) {
            expand(grammar, frame.parent, into);
            return;
        }
        switch (frame.sequence.elements[frame.at]) {
            case Gbnf.Chars chars -> into.add(frame);
            case Gbnf.RuleRef ref -> {
                // a reference at the end of its sequence returns straight to the parent: repetitions do not deepen the stack
                Frame back = frame.at + 1 == frame.sequence.elements.length ? frame.parent
                        : new Frame(frame.sequence, frame.at + 1, frame.parent);
                for (Gbnf.Sequence alternative : grammar.rules.get(ref.rule())) {
                    expand(grammar, new Frame(alternative, 0, back), into);
                }
            }
        }
        if (into.size() > MAX_STACKS) {
            throw new JgptException("the grammar is too ambiguous to follow: more than " + MAX_STACKS + " readings of one text");
        }
    }

    @Override
    public TextState next(int c) {
        if (nextByChar == null) {
            nextByChar = new HashMap<>();
        }
        // a miss stores null too: containsKey tells the two apart
        TextState known = nextByChar.get(c);
        if (known != null || nextByChar.containsKey(c)) {
            return known;
        }
        Set<Frame> next = new LinkedHashSet<>();
        for (Frame f : stacks) {
            if (f.sequence != null && ((Gbnf.Chars) f.sequence.elements[f.at]).matches(c)) {
                expand(grammar, new Frame(f.sequence, f.at + 1, f.parent), next);
            }
        }
        // the same stacks again (a character inside a repetition): the same state, whose answers are already known
        TextState state = next.isEmpty() ? null : next.equals(stackSet) ? this : new GbnfState(grammar, next);
        nextByChar.put(c, state);
        return state;
    }

    /**
     * True when every stack's character set holds all plain characters or none: then one plain
     * character stands for all, and the state is inside a string if it leads back to itself.
     */
    @Override
    public boolean inStringBody() {
        if (stringBody == null) {
            boolean uniform = true;
            for (Frame f : stacks) {
                if (f.sequence != null) {
                    Gbnf.Chars chars = (Gbnf.Chars) f.sequence.elements[f.at];
                    uniform &= chars.plain(true) || chars.plain(false);
                }
            }
            stringBody = uniform && next('a') == this;
        }
        return stringBody;
    }

    @Override
    public boolean complete() {
        for (Frame f : stacks) {
            if (f.sequence == null) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean closed() {
        return stacks.length == 1 && stacks[0].sequence == null;
    }

    @Override
    public int toComplete() {
        return distance;
    }
}
