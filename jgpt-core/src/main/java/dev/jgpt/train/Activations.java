package dev.jgpt.train;

import dev.jgpt.JgptException;
import dev.jgpt.model.ModelConfig;

/**
 * What the training forward keeps for the backward, and the backward's scratch, for up to
 * {@link #rows} = batch·seq token rows at once. N below is the number of rows of a call.
 */
final class Activations {
    /** One block's saved values. */
    record Layer(
            float[] norm1,                                // LN1 output [N × E]
            float[] qkv,                                  // [N × 3E]
            float[] probs,                                // attention probabilities [B·H × T × T]
            float[] attn,                                 // attention output, heads side by side [N × E]
            float[] mid,                                  // residual after attention [N × E]
            float[] norm2,                                // LN2 output [N × E]
            float[] fc,                                   // MLP pre-activation [N × hidden]
            float[] gelu,                                 // MLP activation [N × hidden]
            float[] geluExp) {                            // e^(−2u) of each GELU [N × hidden]

        static Layer allocate(int rows, int probCount, int e, int hidden) {
            return new Layer(new float[size(rows, e)],
                    new float[size(rows, 3 * e)], new float[probCount], new float[size(rows, e)], new float[size(rows, e)],
                    new float[size(rows, e)],
                    new float[size(rows, hidden)], new float[size(rows, hidden)], new float[size(rows, hidden)]);
        }
    }

    final int rows;
    final int probCount;
    final float[][] residual;       // [layers + 1][N × E]: residual[l] is block l's input, residual[layers] the last output
    final Layer[] layers;
    final float[] finalNorm;        // [N × E]
    // backward scratch
    final float[] dResidual;        // [N × E]: ∂loss/∂(residual stream), carried down through the blocks
    final float[] dNorm;            // [N × E]: ∂loss/∂(a LayerNorm's output)
    final float[] dAttn;            // [N × E]
    final float[] dQkv;             // [N × 3E]
    final float[] dHidden;          // [N × hidden]
    final float[] normMean;         // [N]: a LayerNorm's row statistics
    final float[] normRstd;         // [N]
    // forward scratch
    final float[] projection;       // [N × E]: a block's branch output before it joins the residual
    final float[] embeddingRow;     // [E]

    Activations(ModelConfig config, int batch, int seq) {
        int e = config.embd();
        int hidden = config.mlpHidden();
        this.rows = Math.multiplyExact(batch, seq);
        this.probCount = size(Math.multiplyExact(batch, config.heads()), Math.multiplyExact(seq, seq));
        this.residual = new float[config.layers() + 1][size(rows, e)];
        this.layers = new Layer[config.layers()];
        for (int l = 0; l < layers.length; l++) {
            layers[l] = Layer.allocate(rows, probCount, e, hidden);
        }
        finalNorm = new float[size(rows, e)];
        dResidual = new float[size(rows, e)];
        dNorm = new float[size(rows, e)];
        dAttn = new float[size(rows, e)];
        dQkv = new float[size(rows, 3 * e)];
        dHidden = new float[size(rows, hidden)];
        normMean = new float[rows];
        normRstd = new float[rows];
        projection = new float[size(rows, e)];
        embeddingRow = new float[e];
    }

    /** Whether these buffers hold a batch of {@code batch} sequences of {@code seq} tokens. */
    boolean fits(ModelConfig config, int batch, int seq) {
        return (long) batch * seq <= rows && (long) batch * config.heads() * seq * seq <= probCount;
    }

    private static int size(int a, int b) {
        long n = (long) a * b;
        if (n > Integer.MAX_VALUE - 8) {
            throw new JgptException("batch too large: an activation of " + a + " × " + b + " floats does not fit an array");
        }
        return (int) n;
    }
}
