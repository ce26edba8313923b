package dev.jgpt.model;

import dev.jgpt.tensor.GradientKernels;
import dev.jgpt.tensor.Kernels;
import dev.jgpt.tensor.Parallel;
import dev.jgpt.tensor.TransposedLinear;
import dev.jgpt.tensor.WeightMatrix;

/**
 * The final-normed residual stream into logits, {@code logits = h · U} (U [E] → [vocab], the
 * token embedding when tied), a block of rows at a time: at inference handed row by row to a
 * sink; in training turned into the softmax cross-entropy
 * {@code loss_r = logsumexp(logits_r) − logits_r[target_r]} and its backward. Logits exist for
 * one block only (at vocabulary 50257, all 2048 rows of a batch would take 400 MB). Holds the
 * block buffers; not thread-safe.
 */
final class Unembedding {
    /** Rows per block at inference (a prefill's logits for every position). */
    private static final int LOGIT_ROWS = 32;
    /** Rows per block in training. */
    private static final int LOSS_ROWS = 128;

    private final int e;
    private final int vocab;
    private final float logitScale;          // 1: none
    private final float softCap;             // 0: none
    private float[] hBlock = new float[0];      // [block × E]
    private float[] logits = new float[0];      // [block × V], then ∂loss/∂logits
    private float[] dhBlock = new float[0];     // [block × E]
    private final double[] rowLoss = new double[LOSS_ROWS];

    Unembedding(ModelConfig config) {
        this.e = config.embd();
        this.vocab = config.vocabSize();
        Architecture.Features f = config.architecture().features();
        this.logitScale = f.logitScale();
        this.softCap = f.finalSoftCap();
    }

    /** out [vocab] = the logits of the one row {@code h[0, E)}. */
    void row(WeightMatrix u, float[] h, float[] out) {
        Kernels.linear(h, 1, u, null, out);
        finish(out, vocab);
    }

    /** The architecture's logit multiplier and final soft-cap on {@code x[0, n)}, when it has them. */
    private void finish(float[] x, int n) {
        if (logitScale != 1) {
            Kernels.scale(x, 0, n, logitScale);
        }
        if (softCap != 0) {
            Kernels.softCap(x, 0, n, softCap);
        }
    }

    /** The logits of the m rows of h [m × E], handed to {@code sink} in order. */
    void logits(WeightMatrix u, float[] h, int m, Transformer.LogitsSink sink) {
        ensureCapacity(Math.min(m, LOGIT_ROWS));
        for (int r0 = 0; r0 < m; r0 += LOGIT_ROWS) {
            int rows = block(u, h, r0, Math.min(LOGIT_ROWS, m - r0));
            for (int r = 0; r < rows; r++) {
                sink.accept(r0 + r, logits, r * vocab);
            }
        }
    }

    /**
     * h: [n × E]; targets: [n]. Returns Σ_r loss_r. When {@code dh} is not null, also writes
     * {@code dh[n × E] = ∂(gradScale · mean loss)/∂h} and, unless {@code slot} is frozen, adds
     * U's part to {@code grads[slot, +V·E)} (laid out [V × E]): with
     * {@code g = gradScale / n · (softmax(logits) − onehot(target))}, {@code dh = g · Uᵀ} and
     * {@code dU += gᵀ · h}.
     */
    double loss(WeightMatrix u, float[] h, int n, int[] targets, float gradScale, float[] dh, float[] grads, int slot) {
        ensureCapacity(LOSS_ROWS);
        boolean backward = dh != null;
        float rowScale = gradScale / n;
        double total = 0;
        for (int r0 = 0; r0 < n; r0 += LOSS_ROWS) {
            int rows = block(u, h, r0, Math.min(LOSS_ROWS, n - r0));
            int first = r0;
            Parallel.forRange(rows, (i0, i1) -> {
                for (int i = i0; i < i1; i++) {
                    rowLoss[i] = crossEntropyRow(logits, i * vocab, vocab, targets[first + i], backward, rowScale);
                }
            });
            for (int i = 0; i < rows; i++) {
                total += rowLoss[i];
            }
            if (backward) {
                if (logitScale != 1) { // the gradient of the logits before their multiplier
                    Kernels.scale(logits, 0, rows * vocab, logitScale);
                }
                TransposedLinear.apply(logits, rows, u, dhBlock);
                System.arraycopy(dhBlock, 0, dh, r0 * e, rows * e);
                if (slot != Gradients.FROZEN) {
                    GradientKernels.weightGradient(logits, 0, hBlock, 0, rows, vocab, e, grads, slot);
                }
            }
        }
        return total;
    }

    /** The logits of rows [r0, r0 + rows) of h into {@code logits}; returns rows. */
    private int block(WeightMatrix u, float[] h, int r0, int rows) {
        System.arraycopy(h, r0 * e, hBlock, 0, rows * e);
        Kernels.linear(hBlock, rows, u, null, logits);
        finish(logits, rows * vocab);
        return rows;
    }

    /**
     * The loss of one row of logits x[off, off+v); with {@code backward}, replaces the row by
     * {@code scale · (softmax(x) − onehot(target))}.
     */
    private static double crossEntropyRow(float[] x, int off, int v, int target, boolean backward, float scale) {
        float targetLogit = x[off + target];
        // the validation pass needs only the log-sum-exp; the row is scratch either way
        double logSumExp = Kernels.softmax(x, off, v, backward ? scale : 1f);
        if (backward) {
            x[off + target] -= scale;
        }
        return logSumExp - targetLogit;
    }

    private void ensureCapacity(int rows) {
        if (hBlock.length < rows * e) {
            hBlock = new float[rows * e];
            dhBlock = new float[rows * e];
        }
        if (logits.length < rows * vocab) {
            logits = new float[rows * vocab];
        }
    }
}
