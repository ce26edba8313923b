package dev.jgpt.tokenizer;

import dev.jgpt.JgptException;
import dev.jgpt.Quoted;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * One token per character, as in nanoGPT's {@code shakespeare_char}: the vocabulary is the
 * distinct characters (Unicode code points) of a corpus, sorted by code point, numbered from 0.
 * There are no special tokens and no end-of-text token. A character outside the vocabulary
 * cannot be encoded and is an error, never silently dropped.
 *
 * <p>Immutable and thread-safe.
 */
public final class CharTokenizer implements Tokenizer {
    private final int[] codePoints;
    private final Map<Integer, Integer> ids;

    private CharTokenizer(int[] codePoints) {
        this.codePoints = codePoints;
        this.ids = new HashMap<>(codePoints.length * 2);
        for (int id = 0; id < codePoints.length; id++) {
            int cp = codePoints[id];
            if (!Character.isValidCodePoint(cp) || Character.getType(cp) == Character.SURROGATE) {
                throw new IllegalArgumentException(String.format("id %d: U+%04X is not a character", id, cp));
            }
            Integer before = ids.put(cp, id);
            if (before != null) {
                throw new IllegalArgumentException(String.format("%s (U+%04X) has two ids, %d and %d", show(cp), cp, before, id));
            }
        }
    }

    /**
     * The characters of {@code corpus}, sorted by code point.
     *
     * @throws JgptException when the corpus is empty or holds a lone surrogate (not a character)
     */
    public static CharTokenizer fromCorpus(String corpus) {
        int[] distinct = corpus.codePoints().distinct().sorted().toArray();
        if (distinct.length == 0) {
            throw new JgptException("the corpus is empty: a character vocabulary needs at least one character");
        }
        try {
            return new CharTokenizer(distinct);
        } catch (IllegalArgumentException e) {
            throw new JgptException("the corpus is not well-formed text: " + e.getMessage(), e);
        }
    }

    /**
     * A tokenizer giving id i to {@code codePoints[i]}.
     *
     * @throws IllegalArgumentException when a value is not a character or appears twice
     */
    public static CharTokenizer of(int[] codePoints) {
        return new CharTokenizer(codePoints.clone());
    }

    /** The character of token {@code id}, as a code point. */
    public int codePoint(int id) {
        if (id < 0 || id >= codePoints.length) {
            throw new JgptException("token id " + id + " is not in the vocabulary (size " + codePoints.length + ")");
        }
        return codePoints[id];
    }

    /**
     * @throws JgptException naming the first character that is not in the vocabulary, its code
     *     point and where it is
     */
    @Override
    public int[] encode(String text) {
        int[] out = new int[text.codePointCount(0, text.length())];
        for (int i = 0, k = 0; i < text.length(); k++) {
            int cp = text.codePointAt(i);
            Integer id = ids.get(cp);
            if (id == null) {
                throw new JgptException(String.format("character %s (U+%04X) at index %d is not in the vocabulary of %d characters",
                        show(cp), cp, i, codePoints.length));
            }
            out[k] = id;
            i += Character.charCount(cp);
        }
        return out;
    }

    /** The same as {@link #encode}: there are no special tokens. */
    @Override
    public int[] encodeOrdinary(String text) {
        return encode(text);
    }

    @Override
    public String decode(int[] ids, int from, int to) {
        Objects.checkFromToIndex(from, to, ids.length);
        StringBuilder sb = new StringBuilder(to - from);
        for (int i = from; i < to; i++) {
            sb.appendCodePoint(codePoint(ids[i]));
        }
        return sb.toString();
    }

    @Override
    public byte[] tokenBytes(int id) {
        return piece(id).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String piece(int id) {
        return Character.toString(codePoint(id));
    }

    @Override
    public int vocabSize() {
        return codePoints.length;
    }

    /** Always empty: a character vocabulary has no end-of-text token. */
    @Override
    public OptionalInt eosId() {
        return OptionalInt.empty();
    }

    @Override
    public OptionalInt specialId(String text) {
        return OptionalInt.empty();
    }

    @Override
    public boolean isSpecial(int id) {
        return false;
    }

    /** A character as a message shows it: quoted, control characters as escapes. */
    private static String show(int cp) {
        return Quoted.of(Character.toString(cp));
    }
}
