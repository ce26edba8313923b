package dev.jgpt.generate;

import dev.jgpt.JgptException;
import dev.jgpt.model.KvCache;
import dev.jgpt.model.Transformer;
import java.util.OptionalInt;

/** How well a model predicts a given text: the log-probability of each actual next token. */
public final class Scorer {
    /**
     * A text's score.
     *
     * @param tokens    the scored sequence
     * @param positions positions[i] = the index in {@code tokens} of the token that logprobs[i] scores
     * @param logprobs  logprobs[i] = ln p(tokens[positions[i]] | the tokens the model saw before it)
     * @param topTokens topTokens[i] = the model's most likely token at that point
     * @param loss      mean of −logprobs (cross-entropy, nats per token)
     */
    public record Score(int[] tokens, int[] positions, double[] logprobs, int[] topTokens, double loss) {
        /**
         * How surprised the model is by the text, on average.
         *
         * @return e to the {@link #loss()}: 1 for a text the model is sure of, larger the less it expects it
         */
        public double perplexity() {
            return Math.exp(loss);
        }
    }

    private Scorer() {}

    /**
     * Scores {@code tokens} as one sequence: every token after the first, given all those before it.
     *
     * @param model  the model that predicts
     * @param tokens the text's token ids
     * @return one log-probability per token after the first, and their mean loss
     * @throws JgptException when there are fewer than 2 tokens, more than the model's context window,
     *                       or an id outside its vocabulary
     */
    @SuppressWarnings("exports") // applications call LanguageModel.score
    public static Score score(Transformer model, int[] tokens) {
        if (tokens.length < 2) {
            throw new JgptException("scoring needs at least 2 tokens (each is scored given those before it), got " + tokens.length);
        }
        int context = model.config().contextLength();
        if (tokens.length > context) {
            throw new JgptException("the text has " + tokens.length + " tokens, more than the model's context window of "
                    + context + " tokens (score it in chunks instead)");
        }
        checkTokens(model, tokens);
        Predictions predictions = new Predictions(tokens, tokens.length - 1, model.config().vocabSize());
        // the last token is only predicted, never run
        model.forwardAll(tokens, 0, tokens.length - 1, model.newCache(tokens.length - 1),
                (row, logits, offset) -> predictions.add(row + 1, logits, offset));
        return predictions.score();
    }

    /**
     * Scores {@code tokens} as llama.cpp's perplexity tool does: cut into ⌊n / chunk⌋ chunks of
     * {@code chunk} tokens (the rest is dropped), each run alone from an empty cache with its first
     * token replaced by {@code bos} (if present), counting only the predictions of the second half
     * of each chunk: the tokens at chunk positions chunk/2 + 1 .. chunk − 1, each predicted from at
     * least chunk/2 tokens of context.
     *
     * @param model  the model that predicts
     * @param tokens the text's token ids
     * @param chunk  the tokens per chunk, from 3 to the model's context window
     * @param bos    the token each chunk starts with instead of its own first one, or empty to keep it
     * @return the counted predictions in order, and their mean loss
     * @throws JgptException when the chunk size is out of range, the text has fewer than two chunks'
     *                       tokens, or an id is outside the model's vocabulary
     */
    @SuppressWarnings("exports")
    public static Score scoreChunked(Transformer model, int[] tokens, int chunk, OptionalInt bos) {
        int context = model.config().contextLength();
        if (chunk < 3 || chunk > context) {
            throw new JgptException("a chunk must hold 3 to " + context + " tokens (the context window), got " + chunk);
        }
        if (tokens.length < 2 * chunk) {
            throw new JgptException("scoring in chunks of " + chunk + " needs at least " + 2 * chunk + " tokens, the text has "
                    + tokens.length);
        }
        checkTokens(model, tokens);
        bos.ifPresent(model.config()::checkToken);
        int chunks = tokens.length / chunk;
        int first = chunk / 2;
        Predictions predictions = new Predictions(tokens, chunks * (chunk - 1 - first), model.config().vocabSize());
        KvCache cache = model.newCache(chunk);
        int[] input = new int[chunk];
        for (int c = 0; c < chunks; c++) {
            int start = c * chunk;
            System.arraycopy(tokens, start, input, 0, chunk);
            bos.ifPresent(id -> input[0] = id);
            cache.clear();
            model.forwardAll(input, 0, chunk - 1, cache, (row, logits, offset) -> {
                if (row >= first) {
                    predictions.add(start + row + 1, logits, offset);
                }
            });
        }
        return predictions.score();
    }

    private static void checkTokens(Transformer model, int[] tokens) {
        for (int token : tokens) {
            model.config().checkToken(token);
        }
    }

    /** The predictions gathered so far, in order. */
    private static final class Predictions {
        private final int[] tokens;
        private final int vocab;
        private final int[] positions;
        private final double[] logprobs;
        private final int[] top;
        private int count;

        Predictions(int[] tokens, int capacity, int vocab) {
            this.tokens = tokens;
            this.vocab = vocab;
            this.positions = new int[capacity];
            this.logprobs = new double[capacity];
            this.top = new int[capacity];
        }

        /** Records the prediction of tokens[position] from {@code logits[offset, offset + vocab)}. */
        void add(int position, float[] logits, int offset) {
            int best = offset;
            double max = Double.NEGATIVE_INFINITY;
            for (int i = offset; i < offset + vocab; i++) {
                if (logits[i] > max) {
                    max = logits[i];
                    best = i;
                }
            }
            double sum = 0;
            for (int i = offset; i < offset + vocab; i++) {
                sum += Math.exp(logits[i] - max);
            }
            positions[count] = position;
            logprobs[count] = logits[offset + tokens[position]] - max - Math.log(sum);
            top[count] = best - offset;
            count++;
        }

        Score score() {
            double loss = 0;
            for (double lp : logprobs) {
                loss -= lp;
            }
            return new Score(tokens.clone(), positions, logprobs, top, loss / count);
        }
    }
}
