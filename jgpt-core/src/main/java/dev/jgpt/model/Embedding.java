package dev.jgpt.model;

import dev.jgpt.tensor.Kernels;
import dev.jgpt.tensor.Tensor;

/**
 * Tokens into the residual stream, forward and backward: {@code x[r] = wte[token]} (times the
 * architecture's embedding multiplier), plus {@code wpe[position]} when positions are learned
 * (rows decoded from any dtype).
 */
final class Embedding {
    private final ModelConfig config;
    private final float[] row; // [E]: one position embedding
    private final float scale; // the architecture's embedding multiplier, 1 for none

    Embedding(ModelConfig config) {
        this.config = config;
        this.row = new float[config.embd()];
        this.scale = config.architecture().features().embeddingScale();
    }

    /**
     * Embeds {@code tokens[from, from + m)} into x [m × E], row r at position
     * {@code start + r % period} (one sequence: period m; a batch of sequences: their length).
     */
    void forward(ModelWeights w, int[] tokens, int from, int m, int start, int period, float[] x) {
        for (int r = 0; r < m; r++) {
            forwardRow(w, tokens[from + r], start + r % period, x, r);
        }
    }

    /** Embeds one token at {@code position} into row r of x. */
    void forwardRow(ModelWeights w, int token, int position, float[] x, int r) {
        int e = config.embd();
        config.checkToken(token);
        Tensor wte = w.tokenEmbedding();
        wte.dtype().decode(wte.data(), (long) token * e, x, r * e, e);
        if (scale != 1) {
            Kernels.scale(x, r * e, e, scale);
        }
        Tensor wpe = w.positionEmbedding();
        if (wpe != null) {
            wpe.dtype().decode(wpe.data(), (long) position * e, row, 0, e);
            Kernels.axpy(1f, row, 0, x, r * e, e);
        }
    }

    /**
     * The backward of {@link #forward} (start 0): {@code dwte[token] += scale · dx[r]},
     * {@code dwpe[r mod period] += dx[r]}, unless frozen.
     */
    void backward(int[] tokens, int m, int period, float[] dx, Gradients g) {
        int e = config.embd();
        float[] grads = g.values();
        for (int r = 0; r < m; r++) {
            if (g.tokenEmbedding() != Gradients.FROZEN) {
                Kernels.axpy(scale, dx, r * e, grads, g.tokenEmbedding() + tokens[r] * e, e);
            }
            if (g.positionEmbedding() != Gradients.FROZEN) {
                Kernels.axpy(1f, dx, r * e, grads, g.positionEmbedding() + (r % period) * e, e);
            }
        }
    }
}
