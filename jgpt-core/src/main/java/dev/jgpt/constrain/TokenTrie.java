package dev.jgpt.constrain;

import dev.jgpt.tokenizer.Tokenizer;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.WeakHashMap;

/**
 * A vocabulary's token texts as a trie over code points, made once per tokenizer: walking it
 * with an automaton checks a prefix shared by many tokens once. Only tokens whose bytes are whole
 * UTF-8 characters take part (a token that ends inside a character could leave the text where no
 * character continues it); special tokens never do.
 */
final class TokenTrie {
    /**
     * One node: the tokens whose text ends here, the children by next code point (ascending), and
     * {@code below[from, to)}: every token of this subtree. {@code plain}: every character of the
     * subtree, the one leading here included, is {@link #plain}.
     */
    static final class Node {
        final int[] tokens;
        final int[] labels;
        final Node[] children;
        final boolean plain;
        final int from;
        final int to;

        Node(int[] tokens, int[] labels, Node[] children, boolean plain, int from, int to) {
            this.tokens = tokens;
            this.labels = labels;
            this.children = children;
            this.plain = plain;
            this.from = from;
            this.to = to;
        }
    }

    private static final Map<Tokenizer, TokenTrie> MADE = new WeakHashMap<>();

    final Node root;
    /** The tokens in the order of a depth-first walk: each subtree's are one run. */
    final int[] below;

    private TokenTrie(Node root, int[] below) {
        this.root = root;
        this.below = below;
    }

    /** The trie of {@code tokenizer}'s vocabulary, made on first use and kept while the tokenizer lives. */
    static TokenTrie of(Tokenizer tokenizer) {
        synchronized (MADE) {
            return MADE.computeIfAbsent(tokenizer, TokenTrie::build);
        }
    }

    private static TokenTrie build(Tokenizer tokenizer) {
        Builder root = new Builder();
        var utf8 = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        for (int id = 0; id < tokenizer.vocabSize(); id++) {
            if (tokenizer.isSpecial(id)) {
                continue;
            }
            byte[] bytes = tokenizer.tokenBytes(id);
            if (bytes.length == 0) {
                continue;
            }
            CharBuffer text;
            try {
                text = utf8.reset().decode(ByteBuffer.wrap(bytes));
            } catch (CharacterCodingException e) {
                continue; // part of a character
            }
            Builder node = root;
            for (int cp : text.toString().codePoints().toArray()) {
                node = node.children.computeIfAbsent(cp, k -> new Builder());
            }
            node.tokens.add(id);
        }
        List<Integer> order = new ArrayList<>();
        Node built = root.build(-1, order);
        return new TokenTrie(built, order.stream().mapToInt(Integer::intValue).toArray());
    }

    /**
     * Whether {@code c} is a plain character of a JSON string: one that needs no escape, other than
     * DEL (which JSON allows but grammars often leave out), so that more string rules hold them all.
     */
    static boolean plain(int c) {
        return c >= 0x20 && c != '"' && c != '\\' && c != 0x7F;
    }

    private static final class Builder {
        final List<Integer> tokens = new ArrayList<>(1);
        final TreeMap<Integer, Builder> children = new TreeMap<>();

        /** The node reached by {@code label} (-1 at the root), its tokens appended to {@code order} before its children's. */
        Node build(int label, List<Integer> order) {
            int from = order.size();
            order.addAll(tokens);
            int[] labels = children.keySet().stream().mapToInt(Integer::intValue).toArray();
            Node[] built = new Node[labels.length];
            boolean plain = label < 0 || plain(label);
            for (int i = 0; i < labels.length; i++) {
                built[i] = children.get(labels[i]).build(labels[i], order);
                plain &= built[i].plain;
            }
            return new Node(tokens.stream().mapToInt(Integer::intValue).toArray(), labels, built, plain, from, order.size());
        }
    }
}
