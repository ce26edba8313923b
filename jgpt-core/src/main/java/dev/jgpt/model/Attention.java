package dev.jgpt.model;

import dev.jgpt.tensor.Gemm;
import dev.jgpt.tensor.Kernels;
import dev.jgpt.tensor.Parallel;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Causal self-attention with grouped-query heads, forward and backward. For query head h (its
 * key/value head h / (heads / kvHeads)) and a query row at position t:
 * {@code P = softmax(q·kᵀ·scale over positions ≤ t)}, {@code out = P·v}, scale 1/√D unless the
 * architecture sets it. Scores may be soft-capped to {@code cap·tanh(s/cap)} (forward only), and a
 * call may attend through a sliding window (positions t − window < p ≤ t; its masked weights are 0,
 * so the backward needs nothing more). Queries, keys and values
 * arrive already rotated (RoPE is applied before, undone after, by the caller).
 *
 * <p>The forward takes m query rows of one sequence and the keys and values of its positions
 * wherever they lie (a KV cache at inference, the sequence's own rows in training). When the
 * weights are kept (training, probes) and the rows are many, the two products are GEMMs that
 * skip the masked half; otherwise (decode) they are dot products and axpys. Heads run in
 * parallel unless the work is too small to repay the dispatch. Not thread-safe: one forward at a time.
 */
final class Attention {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    /** Below this many multiply-adds, attention runs on the calling thread alone. */
    private static final long PARALLEL_MIN_MACS = 1 << 17;
    /** With kept weights and at least this many query rows, the products are GEMMs. */
    private static final int GEMM_MIN_ROWS = 8;
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private final int heads;
    private final int d;
    private final int q;
    private final int kv;
    private final int group;
    private final float scale;
    private final float softCap;             // 0: none
    // the forward call in flight, as fields so that running it allocates nothing
    private final Parallel.RangeTask task = this::forwardHeads;
    private float[] queries;
    private int row0;
    private int rows;
    private int start;
    private float[] keys;
    private float[] values;
    private int kvBase;
    private float[] weights;
    private int weightsBase;
    private int width;
    private boolean keep;
    private int window;
    private float[] out;

    Attention(ModelConfig config) {
        this.heads = config.heads();
        this.d = config.headSize();
        this.q = config.queryDim();
        this.kv = config.kvDim();
        this.group = config.heads() / config.kvHeads();
        Architecture.Features f = config.architecture().features();
        this.scale = f.attentionScale() != 0 ? f.attentionScale() : (float) (1.0 / Math.sqrt(d));
        this.softCap = f.attentionSoftCap();
    }

    /** Per-thread buffers, grown to the largest sequence seen. */
    private static final class Scratch {
        final Gemm.Workspace gemm = new Gemm.Workspace();
        float[] scores = new float[0];

        float[] scores(int n) {
            return scores.length >= n ? scores : (scores = new float[n]);
        }
    }

    /**
     * Attends the m query rows {@code queries[(row0 + r)·Q, +Q)}, at positions start + r, to the
     * keys and values of positions [0, start + r] (position p's at {@code kvBase + p·K} of
     * {@code keys} and {@code values}), writing {@code out[(row0 + r)·Q, +Q)}.
     *
     * <p>The attention weights go to {@code weights} from {@code weightsBase}, {@code width} per
     * row (at least start + m). With {@code keep}, head h's row r is at
     * {@code h·m·width + r·width} and stays, zero past its visible positions up to start + m;
     * without, every row of head h reuses {@code h·width} (scratch). With {@code window} > 0 a
     * row at position t sees only positions (t − window, t]; the weights before are 0.
     */
    void forward(float[] queries, int row0, int m, int start, float[] keys, float[] values, int kvBase,
                 float[] weights, int weightsBase, int width, boolean keep, int window, float[] out) {
        this.window = window;
        this.queries = queries;
        this.row0 = row0;
        this.rows = m;
        this.start = start;
        this.keys = keys;
        this.values = values;
        this.kvBase = kvBase;
        this.weights = weights;
        this.weightsBase = weightsBase;
        this.width = width;
        this.keep = keep;
        this.out = out;
        long macs = 2L * m * (start + m) * q;
        if (macs < PARALLEL_MIN_MACS) {
            task.run(0, heads);
        } else {
            Parallel.forRange(heads, task);
        }
        this.queries = this.keys = this.values = this.weights = this.out = null;
    }

    /** Heads [h0, h1) of the forward call set up by {@link #forward}. */
    private void forwardHeads(int h0, int h1) {
        for (int head = h0; head < h1; head++) {
            if (keep && rows >= GEMM_MIN_ROWS) {
                gemmHead(head);
            } else {
                dotHead(head);
            }
        }
    }

    private void dotHead(int head) {
        int queryOffset = head * d;
        int kvOffset = kvBase + (head / group) * d;
        int headBase = weightsBase + head * (keep ? rows * width : width);
        for (int r = 0; r < rows; r++) {
            int row = headBase + (keep ? r * width : 0);
            int query = (row0 + r) * q + queryOffset;
            int visible = start + r + 1;
            int first = firstVisible(visible);
            for (int p = first; p < visible; p++) {
                weights[row + p] = Kernels.dot(queries, query, keys, p * kv + kvOffset, d) * scale;
            }
            normalize(weights, row, first, visible);
            if (keep) {
                Arrays.fill(weights, row + visible, row + start + rows, 0f);
            }
            Arrays.fill(out, query, query + d, 0f);
            for (int p = first; p < visible; p++) {
                Kernels.axpy(weights[row + p], values, p * kv + kvOffset, out, query, d);
            }
        }
    }

    /** One head as two GEMMs: S = q·kᵀ (only its causal part when the rows start at position 0), then P·v. */
    private void gemmHead(int head) {
        Gemm.Workspace ws = SCRATCH.get().gemm;
        int n = start + rows;
        int kvOffset = kvBase + (head / group) * d;
        int headBase = weightsBase + head * rows * width;
        Gemm.View qView = Gemm.View.rowMajor(queries, row0 * q + head * d, q);
        Gemm.View kView = Gemm.View.rowMajor(keys, kvOffset, kv);
        Gemm.View vView = Gemm.View.rowMajor(values, kvOffset, kv);
        Gemm.View p = Gemm.View.rowMajor(weights, headBase, width);
        boolean square = start == 0;
        Gemm.multiply(rows, n, d, qView, kView.transposed(), p, false,
                square ? Gemm.Triangle.LOWER_OUTPUT : Gemm.Triangle.NONE, ws);
        for (int r = 0; r < rows; r++) {
            int row = headBase + r * width;
            int visible = start + r + 1;
            int first = firstVisible(visible);
            Kernels.scale(weights, row + first, visible - first, scale);
            normalize(weights, row, first, visible);
            Arrays.fill(weights, row + visible, row + n, 0f);
        }
        Gemm.multiply(rows, d, n, p, vView, Gemm.View.rowMajor(out, row0 * q + head * d, q), false,
                square ? Gemm.Triangle.A_LOWER : Gemm.Triangle.NONE, ws);
    }

    /** The first position a row that sees {@code visible} positions attends to: 0, or the window's start. */
    private int firstVisible(int visible) {
        return window > 0 ? Math.max(0, visible - window) : 0;
    }

    /**
     * The scaled scores of positions [first, visible) of the row at {@code row} into attention
     * weights: soft-capped if the architecture caps them, a softmax, and 0 before {@code first}.
     */
    private void normalize(float[] w, int row, int first, int visible) {
        if (softCap != 0) {
            Kernels.softCap(w, row + first, visible - first, softCap);
        }
        Kernels.softmax(w, row + first, visible - first);
        if (first > 0) {
            Arrays.fill(w, row, row + first, 0f);
        }
    }

    /**
     * The backward of the forward over {@code batch} sequences of {@code seq} rows from position
     * 0, each sequence b at rows [b·seq, (b + 1)·seq) of q [· × Q], k and v [· × K], its weights
     * kept at {@code weights[b·heads·seq², +heads·seq²)}. dOut: [· × Q]. Writes dq [· × Q] and
     * dk, dv [· × K] whole. With dP = dOut·vᵀ and {@code dS = P ⊙ (dP − rowsum(P ⊙ dP)) / √D}:
     * {@code dq = dS·k}, {@code dk = Σ_group dSᵀ·q}, {@code dv = Σ_group Pᵀ·dOut}. Threads take whole
     * (sequence, key/value head) pairs, so a group's sums run in a fixed order.
     */
    void backward(float[] dOut, float[] qs, float[] ks, float[] vs, float[] weights, int batch, int seq,
                  float[] dq, float[] dk, float[] dv) {
        int kvHeads = heads / group;
        Parallel.forRange(batch * kvHeads, (p0, p1) -> {
            Scratch scratch = SCRATCH.get();
            float[] ds = scratch.scores(seq * seq);
            Gemm.View dsView = Gemm.View.rowMajor(ds, 0, seq);
            for (int pair = p0; pair < p1; pair++) {
                int b = pair / kvHeads;
                int kvHead = pair % kvHeads;
                int kvAt = b * seq * kv + kvHead * d;
                Gemm.View k = Gemm.View.rowMajor(ks, kvAt, kv);
                Gemm.View v = Gemm.View.rowMajor(vs, kvAt, kv);
                Gemm.View dkView = Gemm.View.rowMajor(dk, kvAt, kv);
                Gemm.View dvView = Gemm.View.rowMajor(dv, kvAt, kv);
                for (int i = 0; i < group; i++) {
                    int head = kvHead * group + i;
                    int qAt = b * seq * q + head * d;
                    Gemm.View qView = Gemm.View.rowMajor(qs, qAt, q);
                    Gemm.View dO = Gemm.View.rowMajor(dOut, qAt, q);
                    int base = (b * heads + head) * seq * seq;
                    Gemm.View p = Gemm.View.rowMajor(weights, base, seq);
                    Gemm.multiply(seq, seq, d, dO, v.transposed(), dsView, false, Gemm.Triangle.LOWER_OUTPUT, scratch.gemm);
                    for (int t = 0; t < seq; t++) {
                        softmaxBackwardRow(weights, base + t * seq, ds, t * seq, t + 1, scale);
                        Arrays.fill(ds, t * seq + t + 1, (t + 1) * seq, 0f);
                    }
                    Gemm.multiply(seq, d, seq, dsView, k, Gemm.View.rowMajor(dq, qAt, q), false, Gemm.Triangle.A_LOWER,
                            scratch.gemm);
                    // key and value rows s see the query rows t ≥ s
                    boolean add = i > 0;
                    Gemm.multiply(seq, d, seq, dsView.transposed(), qView, dkView, add, Gemm.Triangle.A_UPPER, scratch.gemm);
                    Gemm.multiply(seq, d, seq, p.transposed(), dO, dvView, add, Gemm.Triangle.A_UPPER, scratch.gemm);
                }
            }
        });
    }

    /** In place on one row of n: {@code dp ← scale · p ⊙ (dp − Σ p ⊙ dp)}. */
    private static void softmaxBackwardRow(float[] p, int pOff, float[] dp, int dOff, int n, float scale) {
        float dot = Kernels.dot(p, pOff, dp, dOff, n);
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector pv = FloatVector.fromArray(F, p, pOff + i);
            FloatVector.fromArray(F, dp, dOff + i).sub(dot).mul(pv).mul(scale).intoArray(dp, dOff + i);
        }
        for (; i < n; i++) {
            dp[dOff + i] = (dp[dOff + i] - dot) * p[pOff + i] * scale;
        }
    }
}
