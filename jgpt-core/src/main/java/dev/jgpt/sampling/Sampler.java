package dev.jgpt.sampling;

import java.util.Arrays;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/**
 * Chooses the next token: repetition, presence and frequency penalties → (greedy: argmax) → temperature → softmax →
 * top-k → top-p → min-p → a draw from what is left, renormalised. All buffers are allocated
 * once; sampling a token allocates nothing.
 */
public final class Sampler {
    private final SamplerSettings settings;
    private final RandomGenerator random;
    private final float[] scores;      // [vocab] logits after the penalty
    private final int[] seen;          // [vocab] stamp of the last call that counted each token
    private final int[] counts;        // [vocab] times each token is in the context (valid where seen == call)
    private final int[] candidates;    // token ids, most likely first
    private final float[] probs;       // probability of each candidate
    private final long[] sortKeys;     // scratch for ordering the whole vocabulary
    private int call;

    /**
     * A sampler whose random generator starts from the settings' seed.
     *
     * @param settings  how each token is chosen
     * @param vocabSize the ids that may be chosen, {@code [0, vocabSize)}
     */
    public Sampler(SamplerSettings settings, int vocabSize) {
        this.settings = settings;
        this.random = RandomGeneratorFactory.of("L64X128MixRandom").create(settings.seed());
        this.scores = new float[vocabSize];
        this.seen = new int[vocabSize];
        this.counts = new int[vocabSize];
        this.candidates = new int[vocabSize];
        this.probs = new float[vocabSize];
        this.sortKeys = new long[vocabSize];
    }

    /**
     * How the sampler chooses.
     *
     * @return the settings it was made with
     */
    public SamplerSettings settings() {
        return settings;
    }

    /**
     * The next token after the context {@code history[0, historyLength)}, whose logits are
     * {@code logits[0, vocab)} (left unchanged).
     *
     * @param logits        the model's scores for the next token, at least the sampler's vocabulary long
     * @param history       the context's token ids, which the penalties count
     * @param historyLength how many leading entries of {@code history} are the context
     * @return the chosen token id, in {@code [0, vocabSize)}
     */
    public int sample(float[] logits, int[] history, int historyLength) {
        int vocab = scores.length;
        System.arraycopy(logits, 0, scores, 0, vocab);
        applyPenalties(history, historyLength);
        if (settings.isGreedy()) {
            return argmax(scores, vocab);
        }
        int n = rankCandidates(vocab);
        n = softmaxWithTemperature(n);
        n = keepTopP(n);
        n = keepMinP(n);
        return draw(n);
    }

    /**
     * For each distinct token t of the context, seen c times: the repetition penalty divides a
     * positive logit (multiplies a negative one), then presence and frequency penalties subtract
     * presence + c · frequency, as OpenAI defines them. Ids past the vocabulary sampled from are
     * never chosen, so they need no penalty.
     */
    private void applyPenalties(int[] history, int historyLength) {
        if (!settings.penalises()) {
            return;
        }
        call++;
        int vocab = scores.length;
        for (int i = 0; i < historyLength; i++) {
            int token = history[i];
            if (token >= vocab) {
                continue;
            }
            if (seen[token] != call) {
                seen[token] = call;
                counts[token] = 0;
            }
            counts[token]++;
        }
        float repetition = settings.repetitionPenalty();
        float presence = settings.presencePenalty();
        float frequency = settings.frequencyPenalty();
        for (int i = 0; i < historyLength; i++) {
            int token = history[i];
            int count = token < vocab ? counts[token] : 0;
            if (count > 0) {
                counts[token] = 0; // each distinct token once
                float score = scores[token];
                score = score > 0 ? score / repetition : score * repetition;
                scores[token] = score - presence - count * frequency;
            }
        }
    }

    /** Fills {@code candidates} with the top-k (or all) tokens, highest score first; returns their count. */
    private int rankCandidates(int vocab) {
        int k = settings.topK() == 0 ? vocab : Math.min(settings.topK(), vocab);
        // order by descending score, ties by ascending id: sort keys ascending on (-score, id)
        for (int i = 0; i < vocab; i++) {
            sortKeys[i] = ((long) sortableBits(-scores[i]) << 32) | i;
        }
        if (k < vocab) {
            selectSmallest(sortKeys, vocab, k);
        }
        Arrays.sort(sortKeys, 0, k);
        for (int i = 0; i < k; i++) {
            candidates[i] = (int) sortKeys[i];
        }
        return k;
    }

    private int softmaxWithTemperature(int n) {
        float max = scores[candidates[0]];
        float inverseTemperature = 1f / settings.temperature();
        double sum = 0;
        for (int i = 0; i < n; i++) {
            probs[i] = (float) Math.exp((scores[candidates[i]] - max) * inverseTemperature);
            sum += probs[i];
        }
        for (int i = 0; i < n; i++) {
            probs[i] = (float) (probs[i] / sum);
        }
        return n;
    }

    private int keepTopP(int n) {
        float topP = settings.topP();
        if (topP >= 1f) {
            return n;
        }
        double cumulative = 0;
        for (int i = 0; i < n; i++) {
            cumulative += probs[i];
            if (cumulative >= topP) {
                return i + 1;
            }
        }
        return n;
    }

    private int keepMinP(int n) {
        float threshold = settings.minP() * probs[0];
        int kept = 1;
        while (kept < n && probs[kept] >= threshold) {
            kept++;
        }
        return kept;
    }

    private int draw(int n) {
        double total = 0;
        for (int i = 0; i < n; i++) {
            total += probs[i];
        }
        double u = random.nextDouble() * total;
        for (int i = 0; i < n; i++) {
            u -= probs[i];
            if (u < 0) {
                return candidates[i];
            }
        }
        return candidates[n - 1];
    }

    /**
     * Index of the largest value, the lowest index on ties.
     *
     * @param values the values, at least {@code n} long
     * @param n      how many leading values to look at (at least 1)
     * @return the index, in {@code [0, n)}
     */
    public static int argmax(float[] values, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }

    /** Float bits reordered so that signed int comparison orders them as floats. */
    private static int sortableBits(float value) {
        int bits = Float.floatToIntBits(value);
        return bits ^ ((bits >> 31) & 0x7FFFFFFF);
    }

    /** Rearranges {@code keys[0, n)} so that the k smallest come first, in any order (quickselect). */
    private static void selectSmallest(long[] keys, int n, int k) {
        int lo = 0;
        int hi = n - 1;
        while (lo < hi) {
            long pivot = keys[(lo + hi) >>> 1];
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (keys[i] < pivot) {
                    i++;
                }
                while (keys[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    long t = keys[i];
                    keys[i++] = keys[j];
                    keys[j--] = t;
                }
            }
            if (k - 1 <= j) {
                hi = j;
            } else if (k - 1 >= i) {
                lo = i;
            } else {
                return;
            }
        }
    }
}
