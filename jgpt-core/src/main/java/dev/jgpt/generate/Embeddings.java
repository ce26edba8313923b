package dev.jgpt.generate;

import dev.jgpt.JgptException;
import dev.jgpt.model.Transformer;

/** A text's embedding: the model's hidden states after the final norm, pooled over the positions and scaled to unit length. */
public final class Embeddings {
    /** How the positions' states become one vector. */
    public enum Pooling {
        /** Their mean: every token counts alike. */
        MEAN,
        /** The last one's: the state that has attended to the whole text. */
        LAST
    }

    private Embeddings() {
    }

    /**
     * The L2-normalised pooled hidden state of {@code tokens}, run from an empty cache.
     *
     * @param model the model whose hidden states are pooled
     * @param tokens the text's token ids
     * @param pooling how the positions' states become one vector
     * @return a vector of the model's embedding width, of length 1 (all zeros if the pooled state is)
     * @throws JgptException when there are no tokens or more than the model's context window
     */
    @SuppressWarnings("exports") // applications call LanguageModel.embed
    public static float[] of(Transformer model, int[] tokens, Pooling pooling) {
        int window = model.config().contextLength();
        if (tokens.length == 0) {
            throw new JgptException("nothing to embed: the text has no tokens");
        }
        if (tokens.length > window) {
            throw new JgptException("the text has " + tokens.length + " tokens, more than the context window of " + window + " tokens");
        }
        int e = model.config().embd();
        float[] hidden = model.forwardHidden(tokens, 0, tokens.length, model.newCache(tokens.length));
        double[] sum = new double[e];
        int first = pooling == Pooling.LAST ? tokens.length - 1 : 0;
        for (int p = first; p < tokens.length; p++) {
            for (int i = 0; i < e; i++) {
                sum[i] += hidden[p * e + i];
            }
        }
        double norm = 0;
        for (double v : sum) {
            norm += v * v;
        }
        // the sum points where the mean does: scaled to length 1, the two are the same vector
        double scale = norm == 0 ? 0 : 1 / Math.sqrt(norm);
        float[] out = new float[e];
        for (int i = 0; i < e; i++) {
            out[i] = (float) (sum[i] * scale);
        }
        return out;
    }
}
