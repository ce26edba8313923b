package dev.jgpt.constrain;

import dev.jgpt.JgptException;
import dev.jgpt.tokenizer.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Keeps one sequence's new text inside a {@link Grammar}: before each token it sets to -inf the
 * logits of every token whose text cannot continue a sentence of the language, walking the
 * vocabulary's {@link TokenTrie} with the automaton so that tokens sharing a prefix share its
 * checks. An end token is allowed only when the text is complete. A budget of tokens keeps the
 * text completable: a token is allowed only if the characters still needed after it fit in the
 * tokens left, so the text is complete by the last token allowed (every vocabulary this serves
 * has a token per character it needs).
 */
public final class TokenMask {
    private final Tokenizer tokenizer;
    private final TokenTrie trie;
    private final int[] endIds;
    private final boolean[] allowed;
    private TextState state;

    /**
     * @param endIds the tokens that end generation (the end-of-text token, special stop tokens)
     * @param vocab  the ids that may be sampled, {@code [0, vocab)}
     */
    public TokenMask(Grammar grammar, Tokenizer tokenizer, int[] endIds, int vocab) {
        this.tokenizer = tokenizer;
        this.trie = TokenTrie.of(tokenizer);
        this.endIds = endIds.clone();
        this.allowed = new boolean[vocab];
        this.state = grammar.start();
    }

    /**
     * Sets {@code logits[id]} to -inf for every id in {@code [0, vocab)} that cannot come next.
     *
     * @param tokensLeft tokens that may still be written, this one included
     * @throws JgptException when no token of the vocabulary can continue the text
     */
    public void apply(float[] logits, int tokensLeft) {
        Arrays.fill(allowed, false);
        boolean any = walk(trie.root, state, tokensLeft - 1);
        if (state.complete()) {
            for (int id : endIds) {
                any |= allow(id);
            }
        }
        if (!any) {
            throw new JgptException("no token of the vocabulary continues the constrained text within the " + tokensLeft
                    + " tokens left (" + state.toComplete() + " more characters are needed)");
        }
        for (int id = 0; id < allowed.length; id++) {
            if (!allowed[id]) {
                logits[id] = Float.NEGATIVE_INFINITY;
            }
        }
    }

    /** Marks the tokens below {@code node} that may follow from {@code from}; whether there was one. */
    private boolean walk(TokenTrie.Node node, TextState from, int tokensAfter) {
        boolean any = false;
        boolean inString = from.inStringBody();
        for (int i = 0; i < node.labels.length; i++) {
            TokenTrie.Node child = node.children[i];
            if (inString && child.plain) {
                // every token below leaves the state as it is: all of them are allowed or none
                if (from.toComplete() <= tokensAfter) {
                    for (int k = child.from; k < child.to; k++) {
                        any |= allow(trie.below[k]);
                    }
                }
                continue;
            }
            TextState s = from.next(node.labels[i]);
            if (s == null) {
                continue;
            }
            if (child.tokens.length > 0 && s.toComplete() <= tokensAfter) {
                for (int id : child.tokens) {
                    any |= allow(id);
                }
            }
            if (child.labels.length > 0) {
                any |= walk(child, s, tokensAfter);
            }
        }
        return any;
    }

    private boolean allow(int id) {
        if (id < allowed.length) {
            allowed[id] = true;
            return true;
        }
        return false;
    }

    /** Moves past token {@code id}, which {@link #apply} allowed. */
    public void accept(int id) {
        for (int end : endIds) {
            if (end == id) {
                return;
            }
        }
        String text = new String(tokenizer.tokenBytes(id), StandardCharsets.UTF_8);
        TextState s = state;
        for (int i = 0; i < text.length() && s != null; ) {
            int cp = text.codePointAt(i);
            s = s.next(cp);
            i += Character.charCount(cp);
        }
        if (s == null) {
            throw new JgptException("token " + id + " does not continue the constrained text");
        }
        state = s;
    }

    /** Whether the text is complete and nothing may follow it: generation is over. */
    public boolean closed() {
        return state.closed();
    }

    /** Whether the text so far is a whole sentence of the language. */
    public boolean complete() {
        return state.complete();
    }
}
