package dev.jgpt.train;

import dev.jgpt.tensor.GradientKernels;
import dev.jgpt.tensor.Kernels;
import dev.jgpt.tensor.Parallel;
import dev.jgpt.tensor.WeightMatrix;

/**
 * The tied unembedding {@code logits = h · wteᵀ} and the softmax cross-entropy
 * {@code loss_r = logsumexp(logits_r) − logits_r[target_r]}, forward and backward together, a
 * block of rows at a time: logits exist for one block only (at vocabulary 50257, all 2048 rows
 * of a batch would take 400 MB). Holds the block buffers; not thread-safe.
 */
final class UnembeddingLoss {
    static final int BLOCK_ROWS = 128;

    private float[] hBlock = new float[0];      // [block × E]
    private float[] logits = new float[0];      // [block × V], then ∂loss/∂logits
    private float[] dhBlock = new float[0];     // [block × E]
    private final double[] rowLoss = new double[BLOCK_ROWS];

    /**
     * h: [n × E], the final-normed hidden states; wte: the unembedding as an [E] → [V] map;
     * targets: [n]. Returns Σ_r loss_r. When {@code dh} is not null, also writes
     * {@code dh[n × E] = ∂(gradScale · mean loss)/∂h} and adds the wte part to
     * {@code grads[dwte, +V·E)}: with {@code g = gradScale / n · (softmax(logits) − onehot(target))},
     * {@code dh = g · wte} and {@code dwte += gᵀ · h}.
     */
    double run(float[] h, int n, int[] targets, WeightMatrix wte, float gradScale, float[] dh, float[] grads, int dwte) {
        int e = wte.in();
        int vocab = wte.out();
        ensureCapacity(e, vocab);
        boolean backward = dh != null;
        float rowScale = gradScale / n;
        double total = 0;
        for (int r0 = 0; r0 < n; r0 += BLOCK_ROWS) {
            int rows = Math.min(BLOCK_ROWS, n - r0);
            int first = r0;
            System.arraycopy(h, r0 * e, hBlock, 0, rows * e);
            Kernels.linear(hBlock, rows, wte, null, logits);
            Parallel.forRange(rows, (i0, i1) -> {
                for (int i = i0; i < i1; i++) {
                    rowLoss[i] = crossEntropyRow(logits, i * vocab, vocab, targets[first + i], backward, rowScale);
                }
            });
            for (int i = 0; i < rows; i++) {
                total += rowLoss[i];
            }
            if (backward) {
                Kernels.linear(logits, rows, wte.transposed(), null, dhBlock);
                System.arraycopy(dhBlock, 0, dh, r0 * e, rows * e);
                GradientKernels.weightGradient(logits, 0, hBlock, 0, rows, vocab, e, grads, dwte);
            }
        }
        return total;
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

    private void ensureCapacity(int e, int vocab) {
        if (hBlock.length < BLOCK_ROWS * e) {
            hBlock = new float[BLOCK_ROWS * e];
            dhBlock = new float[BLOCK_ROWS * e];
        }
        if (logits.length < BLOCK_ROWS * vocab) {
            logits = new float[BLOCK_ROWS * vocab];
        }
    }
}
