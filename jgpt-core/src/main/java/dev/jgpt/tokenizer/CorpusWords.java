package dev.jgpt.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;

/**
 * A corpus as BPE training sees it: the distinct pieces of GPT-2's pre-tokenization, each with
 * how often it occurs, spelled as symbols (token ids) that merges join in place. A piece is
 * counted once however often it occurs, so a merge costs work per distinct word, not per
 * occurrence.
 */
final class CorpusWords {
    /** Told how the count of a pair of adjacent symbols changes, and in which word. */
    @FunctionalInterface
    interface PairChange {
        void change(int left, int right, long delta, int word);
    }

    private final int[][] symbols;
    private final int[] lengths;
    private final long[] counts;

    private CorpusWords(int[][] symbols, long[] counts) {
        this.symbols = symbols;
        this.counts = counts;
        this.lengths = new int[symbols.length];
        for (int w = 0; w < symbols.length; w++) {
            lengths[w] = symbols[w].length;
        }
    }

    /**
     * The words of {@code corpus}, each byte {@code b} the symbol {@code idOfByte[b]}. The text of
     * {@link ByteLevelBpe#END_OF_TEXT} separates documents and is not itself part of any word.
     */
    static CorpusWords of(String corpus, int[] idOfByte) {
        Map<String, long[]> byPiece = new HashMap<>();
        Matcher m = PreTokenizer.GPT2.pattern().matcher(corpus);
        int from = 0;
        while (from <= corpus.length()) {
            int end = corpus.indexOf(ByteLevelBpe.END_OF_TEXT, from);
            end = end < 0 ? corpus.length() : end;
            // a region with opaque bounds: the lookahead of "\s+(?!\S)" sees the document's end, as for a substring
            m.region(from, end);
            while (m.find()) {
                byPiece.computeIfAbsent(m.group(), k -> new long[1])[0]++;
            }
            from = end + ByteLevelBpe.END_OF_TEXT.length();
        }
        int[][] symbols = new int[byPiece.size()][];
        long[] counts = new long[byPiece.size()];
        int w = 0;
        for (var entry : byPiece.entrySet()) {
            byte[] utf8 = entry.getKey().getBytes(StandardCharsets.UTF_8);
            symbols[w] = new int[utf8.length];
            for (int i = 0; i < utf8.length; i++) {
                symbols[w][i] = idOfByte[utf8[i] & 0xFF];
            }
            counts[w++] = entry.getValue()[0];
        }
        return new CorpusWords(symbols, counts);
    }

    /** Number of distinct words. */
    int size() {
        return symbols.length;
    }

    /** Reports every adjacent pair of every word, weighted by how often the word occurs. */
    void countPairs(PairChange changes) {
        for (int w = 0; w < symbols.length; w++) {
            int[] s = symbols[w];
            for (int i = 0; i + 1 < lengths[w]; i++) {
                changes.change(s[i], s[i + 1], counts[w], w);
            }
        }
    }

    /**
     * Joins every {@code a b} in word {@code w} into {@code joined}, leftmost first, and reports
     * the pairs that disappear (negative) and appear (positive) around each join.
     */
    void merge(int w, int a, int b, int joined, PairChange changes) {
        int[] s = symbols[w];
        int length = lengths[w];
        long count = counts[w];
        int out = 0;
        int i = 0;
        while (i < length) {
            if (i + 1 < length && s[i] == a && s[i + 1] == b) {
                changes.change(a, b, -count, w);
                if (out > 0) {
                    // s[i - 1] still holds the old symbol: writes lag reads once a join has happened
                    changes.change(s[i - 1], a, -count, w);
                    changes.change(s[out - 1], joined, count, w);
                }
                // the pair to the right belongs to the next join when one follows at once ("a b a b")
                boolean joinFollows = i + 3 < length && s[i + 2] == a && s[i + 3] == b;
                if (i + 2 < length && !joinFollows) {
                    changes.change(b, s[i + 2], -count, w);
                    changes.change(joined, s[i + 2], count, w);
                }
                s[out++] = joined;
                i += 2;
            } else {
                s[out++] = s[i++];
            }
        }
        lengths[w] = out;
    }
}
