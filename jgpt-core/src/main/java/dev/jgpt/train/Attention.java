package dev.jgpt.train;

import dev.jgpt.tensor.Gemm;
import dev.jgpt.tensor.Kernels;
import dev.jgpt.tensor.Parallel;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Causal multi-head self-attention of a batch of sequences. For sequence b and head h, with
 * D = E / heads and q, k, v the head's columns of qkv:
 * {@code P = softmax(q·kᵀ / √D, −∞ above the diagonal)}, {@code out = P·v}. Each (b, h) is
 * independent: threads take whole pairs. The products skip the register tiles that lie wholly
 * in the masked half ({@link Gemm.Triangle}).
 */
final class Attention {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private Attention() {}

    /** Per-thread buffers, grown to the largest sequence seen. */
    private static final class Scratch {
        final Gemm.Workspace gemm = new Gemm.Workspace();
        float[] scores = new float[0];

        float[] scores(int n) {
            return scores.length >= n ? scores : (scores = new float[n]);
        }
    }

    /**
     * qkv: [B·T × 3E] (q, k, v side by side, head h at columns h·D of each); probs: [B·H × T × T],
     * saved for the backward, zero above the diagonal; out: [B·T × E], heads side by side.
     */
    static void forward(float[] qkv, int batch, int seq, int heads, int e, float[] probs, float[] out) {
        int d = e / heads;
        float scale = (float) (1.0 / Math.sqrt(d));
        Parallel.forRange(batch * heads, (p0, p1) -> {
            Scratch scratch = SCRATCH.get();
            for (int pair = p0; pair < p1; pair++) {
                Head x = Head.of(qkv, pair, heads, seq, e);
                int base = pair * seq * seq;
                Gemm.View p = Gemm.View.rowMajor(probs, base, seq);
                Gemm.multiply(seq, seq, d, x.q(), x.k().transposed(), p, false, Gemm.Triangle.LOWER_OUTPUT, scratch.gemm);
                for (int t = 0; t < seq; t++) {
                    int row = base + t * seq;
                    scale(probs, row, t + 1, scale);
                    Kernels.softmax(probs, row, t + 1);
                    Arrays.fill(probs, row + t + 1, row + seq, 0f);
                }
                Gemm.multiply(seq, d, seq, p, x.v(), x.out(out), false, Gemm.Triangle.A_LOWER, scratch.gemm);
            }
        });
    }

    /**
     * dout: [B·T × E]; qkv, probs: from the forward; dqkv: [B·T × 3E], every element written.
     * With dP = dout·vᵀ and {@code dS = P ⊙ (dP − rowsum(P ⊙ dP)) / √D}:
     * {@code dq = dS·k}, {@code dk = dSᵀ·q}, {@code dv = Pᵀ·dout}.
     */
    static void backward(float[] dout, float[] qkv, float[] probs, int batch, int seq, int heads, int e, float[] dqkv) {
        int d = e / heads;
        float scale = (float) (1.0 / Math.sqrt(d));
        Parallel.forRange(batch * heads, (p0, p1) -> {
            Scratch scratch = SCRATCH.get();
            float[] ds = scratch.scores(seq * seq);
            Gemm.View dsView = Gemm.View.rowMajor(ds, 0, seq);
            for (int pair = p0; pair < p1; pair++) {
                Head x = Head.of(qkv, pair, heads, seq, e);
                Head dx = Head.of(dqkv, pair, heads, seq, e);
                Gemm.View dO = x.out(dout);
                int base = pair * seq * seq;
                Gemm.View p = Gemm.View.rowMajor(probs, base, seq);
                Gemm.multiply(seq, seq, d, dO, x.v().transposed(), dsView, false, Gemm.Triangle.LOWER_OUTPUT, scratch.gemm);
                for (int t = 0; t < seq; t++) {
                    softmaxBackwardRow(probs, base + t * seq, ds, t * seq, t + 1, scale);
                    Arrays.fill(ds, t * seq + t + 1, (t + 1) * seq, 0f);
                }
                Gemm.multiply(seq, d, seq, dsView, x.k(), dx.q(), false, Gemm.Triangle.A_LOWER, scratch.gemm);
                // key and value rows s see the query rows t ≥ s
                Gemm.multiply(seq, d, seq, dsView.transposed(), x.q(), dx.k(), false, Gemm.Triangle.A_UPPER, scratch.gemm);
                Gemm.multiply(seq, d, seq, p.transposed(), dO, dx.v(), false, Gemm.Triangle.A_UPPER, scratch.gemm);
            }
        });
    }

    /**
     * One (sequence, head) pair's q, k, v [T × D] inside a [B·T × 3E] qkv buffer (or its gradient),
     * and its columns of an attention-output-shaped [B·T × E] buffer.
     */
    private record Head(Gemm.View q, Gemm.View k, Gemm.View v, int outOffset, int e) {
        static Head of(float[] qkv, int pair, int heads, int seq, int e) {
            int b = pair / heads;
            int column = pair % heads * (e / heads);
            Gemm.View q = Gemm.View.rowMajor(qkv, b * seq * 3 * e + column, 3 * e);
            return new Head(q, q.at(0, e), q.at(0, 2 * e), b * seq * e + column, e);
        }

        Gemm.View out(float[] buffer) {
            return Gemm.View.rowMajor(buffer, outOffset, e);
        }
    }

    /** x[off, off+n) *= factor. */
    private static void scale(float[] x, int off, int n, float factor) {
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector.fromArray(F, x, off + i).mul(factor).intoArray(x, off + i);
        }
        for (; i < n; i++) {
            x[off + i] *= factor;
        }
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
