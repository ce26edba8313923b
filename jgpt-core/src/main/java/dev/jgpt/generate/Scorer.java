package dev.jgpt.generate;

import dev.jgpt.JgptException;
import dev.jgpt.model.Transformer;

/** How well a model predicts a given text: the log-probability of each actual next token. */
public final class Scorer {
    /**
     * @param tokens    the scored sequence
     * @param logprobs  logprobs[i] = ln p(tokens[i+1] | tokens[0..i])
     * @param topTokens topTokens[i] = the model's most likely token after tokens[0..i]
     * @param loss      mean of −logprobs (cross-entropy, nats per token)
     */
    public record Score(int[] tokens, double[] logprobs, int[] topTokens, double loss) {
        public double perplexity() {
            return Math.exp(loss);
        }
    }

    private Scorer() {}

    public static Score score(Transformer model, int[] tokens) {
        if (tokens.length < 2) {
            throw new JgptException("scoring needs at least 2 tokens (each is scored given those before it), got " + tokens.length);
        }
        int context = model.config().contextLength();
        if (tokens.length > context) {
            throw new JgptException("the text has " + tokens.length + " tokens, more than the model's context window of "
                    + context + " tokens");
        }
        for (int token : tokens) {
            model.config().checkToken(token);
        }
        int vocab = model.config().vocabSize();
        double[] logprobs = new double[tokens.length - 1];
        int[] top = new int[tokens.length - 1];
        model.forwardAll(tokens, 0, tokens.length - 1, model.newCache(), (row, logits, offset) -> {
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
            logprobs[row] = logits[offset + tokens[row + 1]] - max - Math.log(sum);
            top[row] = best - offset;
        });
        double loss = 0;
        for (double lp : logprobs) {
            loss -= lp;
        }
        return new Score(tokens.clone(), logprobs, top, loss / logprobs.length);
    }
}
