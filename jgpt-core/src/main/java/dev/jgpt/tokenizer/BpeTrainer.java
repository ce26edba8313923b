package dev.jgpt.tokenizer;

import dev.jgpt.JgptException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;

/**
 * Learns a GPT-2-style byte-level BPE from a corpus: the text is cut by GPT-2's regex, and the
 * most frequent pair of adjacent tokens is merged into a new token, again and again.
 *
 * <p>The vocabulary it makes: ids 0 to 255 are the 256 bytes in GPT-2's order (that of its
 * {@code vocab.json}: {@code !} is 0, printable bytes first, then the others), then one token per
 * merge in the order learned, then {@link ByteLevelBpe#END_OF_TEXT} as the last id. When two
 * pairs are equally frequent the one with the smaller left id wins, then the smaller right id:
 * Hugging Face's rule, so its BpeTrainer learns the same merges from the same words. The same
 * corpus and size always give the same tokenizer. The text {@code <|endoftext|>} in the corpus
 * separates documents: no merge reaches across it.
 *
 * <p>Each distinct word is stored once with its count; pair counts are updated only around
 * each join, and an index from pair to words finds the words a merge touches.
 */
public final class BpeTrainer {
    /** The smallest vocabulary: the 256 bytes and {@code <|endoftext|>}. */
    public static final int MIN_VOCAB_SIZE = 257;

    /** Told how far training is: {@code done} of {@code total} new tokens learned. Called on the training thread. */
    @FunctionalInterface
    public interface Progress {
        void update(int done, int total);
    }

    private final CorpusWords words;
    private final int vocabSize;
    private final Progress progress;
    private final List<byte[]> tokens = new ArrayList<>();
    private final Map<String, Integer> idOfBytes = new HashMap<>();
    private final List<BpeModel.Merge> merges = new ArrayList<>();
    private final Map<Long, Pair> pairs = new HashMap<>();
    private final PriorityQueue<Candidate> queue;
    /** Pairs whose count grew during the current step: they go (back) into the queue after it. */
    private final List<Pair> grown = new ArrayList<>();
    /** The step in which each word was last merged, so a word listed twice under a pair is merged once. */
    private final int[] mergedInStep;
    private int step;

    private BpeTrainer(CorpusWords words, int vocabSize, Progress progress) {
        this.words = words;
        this.vocabSize = vocabSize;
        this.progress = progress;
        this.mergedInStep = new int[words.size()];
        this.queue = new PriorityQueue<>(Comparator.comparingLong(Candidate::count).reversed()
                .thenComparingInt(c -> c.pair().left)
                .thenComparingInt(c -> c.pair().right));
    }

    /** {@link #train(String, int, Progress)} without progress reports. */
    public static ByteLevelBpe train(String corpus, int vocabSize) {
        return train(corpus, vocabSize, (done, total) -> {});
    }

    /**
     * A byte-level BPE of at most {@code vocabSize} tokens learned from {@code corpus}. The size is
     * reached unless the corpus runs out of pairs first (a small corpus, every word one token),
     * in which case training stops there and {@code <|endoftext|>} follows the last merge.
     *
     * @throws JgptException when {@code vocabSize} is below {@value #MIN_VOCAB_SIZE} or above
     *     {@link BpeModel#MAX_ID} + 1
     */
    public static ByteLevelBpe train(String corpus, int vocabSize, Progress progress) {
        Objects.requireNonNull(corpus, "corpus");
        Objects.requireNonNull(progress, "progress");
        if (vocabSize < MIN_VOCAB_SIZE || vocabSize > BpeModel.MAX_ID + 1) {
            throw new JgptException("vocabulary size " + vocabSize + " is out of range: a byte-level BPE needs at least "
                    + MIN_VOCAB_SIZE + " tokens (the 256 bytes and " + ByteLevelBpe.END_OF_TEXT + "), at most " + (BpeModel.MAX_ID + 1));
        }
        int[] byteOfId = ByteUnicode.bytesInCharOrder();
        int[] idOfByte = new int[256];
        for (int id = 0; id < 256; id++) {
            idOfByte[byteOfId[id]] = id;
        }
        return new BpeTrainer(CorpusWords.of(corpus, idOfByte), vocabSize, progress).learn(byteOfId);
    }

    private ByteLevelBpe learn(int[] byteOfId) {
        for (int b : byteOfId) {
            addToken(new byte[] {(byte) b});
        }
        words.countPairs(this::change);
        queueGrown();
        int total = vocabSize - MIN_VOCAB_SIZE;
        while (tokens.size() < vocabSize - 1) {
            Pair best = mostFrequent();
            if (best == null) {
                break;
            }
            step++;
            merge(best);
            queueGrown();
            progress.update(tokens.size() - 256, total);
        }
        Map<String, Integer> specials = Map.of(ByteLevelBpe.END_OF_TEXT, tokens.size());
        return new ByteLevelBpe(new BpeModel(tokens, merges, specials));
    }

    private int addToken(byte[] bytes) {
        tokens.add(bytes);
        idOfBytes.put(new String(bytes, StandardCharsets.ISO_8859_1), tokens.size() - 1);
        return tokens.size() - 1;
    }

    /** The pair to merge next, or {@code null} when no pair is left; queue entries whose count has changed are refreshed. */
    private Pair mostFrequent() {
        // counts only fall after a pair is queued, except when they grow in a step (then re-queued): so the top entry, once current, is the maximum
        while (!queue.isEmpty()) {
            Candidate top = queue.poll();
            if (top.count() == top.pair().count) {
                return top.pair();
            }
            if (top.pair().count > 0) {
                queue.add(new Candidate(top.pair().count, top.pair()));
            }
        }
        return null;
    }

    private void merge(Pair pair) {
        byte[] left = tokens.get(pair.left);
        byte[] right = tokens.get(pair.right);
        byte[] bytes = Arrays.copyOf(left, left.length + right.length);
        System.arraycopy(right, 0, bytes, left.length, right.length);
        // rarely, different splits of the same bytes merge twice: the token is reused, as ByteLevelBpe and Hugging Face do
        Integer existing = idOfBytes.get(new String(bytes, StandardCharsets.ISO_8859_1));
        int joined = existing != null ? existing : addToken(bytes);
        merges.add(new BpeModel.Merge(pair.left, pair.right));
        for (int i = 0; i < pair.words.size(); i++) {
            int w = pair.words.get(i);
            if (mergedInStep[w] != step) {
                mergedInStep[w] = step;
                words.merge(w, pair.left, pair.right, joined, this::change);
            }
        }
    }

    private void change(int left, int right, long delta, int word) {
        long key = ((long) left << 32) | right;
        Pair pair = pairs.computeIfAbsent(key, k -> new Pair(left, right));
        pair.count += delta;
        if (delta > 0) {
            if (pair.words.size() == 0 || pair.words.get(pair.words.size() - 1) != word) {
                pair.words.add(word);
            }
            if (pair.grownInStep != step) {
                pair.grownInStep = step;
                grown.add(pair);
            }
        }
        if (pair.count == 0) {
            pairs.remove(key); // a pair that comes back later starts a new entry, with only the words that then have it
        }
    }

    private void queueGrown() {
        for (Pair pair : grown) {
            if (pair.count > 0) {
                queue.add(new Candidate(pair.count, pair));
            }
        }
        grown.clear();
    }

    /** Two adjacent tokens, how often they occur in the corpus, and the words they (may) occur in. */
    private static final class Pair {
        final int left;
        final int right;
        long count;
        /** Every word that has had this pair since it was counted; some may have lost it since. */
        final IntList words = new IntList(4);
        int grownInStep = -1;

        Pair(int left, int right) {
            this.left = left;
            this.right = right;
        }
    }

    /** A queue entry: the pair's count when it was queued, stale once the count changes. */
    private record Candidate(long count, Pair pair) {}
}
