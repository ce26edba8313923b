package dev.jgpt.model;

import dev.jgpt.JgptException;

/**
 * The buffers of a forward pass over up to {@link #rows} token rows: what each block writes and,
 * in training, keeps for the backward (one {@link Block} per layer), plus the backward's scratch.
 * Inference uses one Block for every layer, the residual stream updated in place. N below is the
 * number of rows.
 */
public final class Activations {
    /** What one block's forward writes. Widths: E embedding, Q queries, K keys/values, H the MLP. */
    static final class Block {
        float[] in;          // the residual stream entering the block [N × E]
        float[] mid;         // after attention [N × E]
        float[] out;         // after the MLP [N × E]
        float[] norm1;       // [N × E]
        float[] q;           // rotated queries [N × Q]
        float[] k;           // rotated keys [N × K]
        float[] v;           // values [N × K]
        float[] attn;        // attention output, heads side by side [N × Q]
        float[] weights;     // attention weights [B·heads × T × T] in training; scratch at inference
        float[] norm2;       // [N × E]
        float[] up;          // MLP up projection [N × H] (GELU: its pre-activation)
        float[] gate;        // SwiGLU's or GeGLU's gate pre-activation [N × H]; null for GELU
        float[] act;         // MLP activation [N × H]
        float[] geluExp;     // GELU's e^(−2c) [N × H] in training; null otherwise
    }

    final int rows;
    private final int heads;
    final Block[] blocks;
    final float[] qkv;        // a fused projection's output [N × (Q + 2K)], or null
    final float[] branch;     // a half-block's output before it joins the residual [N × E]
    // training only
    final float[] finalNorm;  // [N × E]
    final float[] dResidual;  // ∂loss/∂(residual stream), carried down through the blocks [N × E]
    final float[] dNorm;      // ∂loss/∂(a norm's output) [N × E]
    final float[] dScratch;   // [N × E]
    final float[] dAttn;      // [N × Q]
    final float[] dq;         // [N × Q]
    final float[] dk;         // [N × K]
    final float[] dv;         // [N × K]
    final float[] dQkv;       // [N × (Q + 2K)], or null
    final float[] dAct;       // [N × H]
    final float[] dGate;      // [N × H], or null
    final float[] mean;       // [N]: a norm's row statistics
    final float[] rstd;       // [N]

    private Activations(ModelConfig c, int rows, int sequences, boolean fused, boolean training) {
        int e = c.embd();
        int q = c.queryDim();
        int kv = c.kvDim();
        int hidden = c.mlpHidden();
        boolean gated = c.architecture().mlp().gated();
        this.rows = rows;
        this.heads = c.heads();
        this.qkv = fused ? array(rows, q + 2 * kv) : null;
        this.branch = array(rows, e);
        if (training) {
            int seq = rows / sequences;
            int weights = size(Math.multiplyExact(sequences, c.heads()), Math.multiplyExact(seq, seq));
            float[][] residual = new float[c.layers() + 1][];
            for (int l = 0; l <= c.layers(); l++) {
                residual[l] = array(rows, e);
            }
            blocks = new Block[c.layers()];
            for (int l = 0; l < blocks.length; l++) {
                Block b = new Block();
                b.in = residual[l];
                b.out = residual[l + 1];
                b.mid = array(rows, e);
                b.norm1 = array(rows, e);
                b.norm2 = array(rows, e);
                b.q = array(rows, q);
                b.k = array(rows, kv);
                b.v = array(rows, kv);
                b.attn = array(rows, q);
                b.weights = new float[weights];
                b.up = array(rows, hidden);
                b.gate = gated ? array(rows, hidden) : null;
                b.act = array(rows, hidden);
                b.geluExp = gated ? null : array(rows, hidden);
                blocks[l] = b;
            }
            finalNorm = array(rows, e);
            dResidual = array(rows, e);
            dNorm = array(rows, e);
            dScratch = array(rows, e);
            dAttn = array(rows, q);
            dq = array(rows, q);
            dk = array(rows, kv);
            dv = array(rows, kv);
            dQkv = fused ? array(rows, q + 2 * kv) : null;
            dAct = array(rows, hidden);
            dGate = gated ? array(rows, hidden) : null;
            mean = new float[rows];
            rstd = new float[rows];
        } else {
            Block b = new Block();
            b.in = b.mid = b.out = array(rows, e);
            b.norm1 = b.norm2 = array(rows, e);
            b.q = array(rows, q);
            b.k = array(rows, kv);
            b.v = array(rows, kv);
            b.attn = array(rows, q);
            b.weights = new float[0];
            b.up = array(rows, hidden);
            b.gate = gated ? array(rows, hidden) : null;
            b.act = gated ? b.gate : b.up;
            blocks = new Block[] {b};
            finalNorm = dResidual = dNorm = dScratch = dAttn = dq = dk = dv = dQkv = dAct = dGate = mean = rstd = null;
        }
    }

    /** Buffers for a forward pass of up to {@code rows} rows at inference. */
    static Activations inference(ModelConfig config, int rows, boolean fused) {
        return new Activations(config, rows, 1, fused, false);
    }

    /** Buffers for training on {@code batch} sequences of {@code seq} tokens of a model of {@code config}. */
    public static Activations training(ModelConfig config, int batch, int seq, boolean fused) {
        return new Activations(config, Math.multiplyExact(batch, seq), batch, fused, true);
    }

    /** Whether these training buffers hold {@code batch} sequences of {@code seq} tokens. */
    public boolean fits(int batch, int seq) {
        return finalNorm != null && (long) batch * seq <= rows
                && (long) batch * heads * seq * seq <= blocks[0].weights.length;
    }

    private static float[] array(int a, int b) {
        return new float[size(a, b)];
    }

    private static int size(int a, int b) {
        long n = (long) a * b;
        if (n > Integer.MAX_VALUE - 8) {
            throw new JgptException("batch too large: an activation of " + a + " × " + b + " floats does not fit an array");
        }
        return (int) n;
    }
}
