package dev.jgpt.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A low-rank term added to a linear map, {@code y[m, out] += (x[m, in] · Dᵀ) · U}: {@code down}
 * holds D [rank × in] (LoRA's A) and {@code up} holds U [rank × out] (LoRA's B transposed, its
 * scale already multiplied in). Both are row-major on the heap; the term is small beside the map
 * it adapts, so it is kept as floats whatever the dtype it came in.
 */
public record LowRank(int in, int out, int rank, float[] down, float[] up) {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    public LowRank {
        if (in <= 0 || out <= 0 || rank <= 0 || down.length != (long) rank * in || up.length != (long) rank * out) {
            throw new IllegalArgumentException("a low-rank term " + in + " → " + rank + " → " + out + " with down["
                    + down.length + "] and up[" + up.length + "]");
        }
    }

    /**
     * The term of LoRA factors as GGUF stores them: {@code a} [rank × in], {@code b} [out × rank]
     * (both row-major), scaled by {@code scale}: {@code y += scale · (x · Aᵀ) · Bᵀ}.
     */
    public static LowRank of(int in, int out, int rank, float[] a, float[] b, float scale) {
        float[] up = new float[rank * out];
        for (int o = 0; o < out; o++) {
            for (int r = 0; r < rank; r++) {
                up[r * out + o] = scale * b[o * rank + r];
            }
        }
        return new LowRank(in, out, rank, a.clone(), up);
    }

    /** This term and {@code other} (same in and out) as one: their ranks side by side, so that applying it adds both. */
    public LowRank plus(LowRank other) {
        if (other.in != in || other.out != out) {
            throw new IllegalArgumentException("low-rank terms " + in + " → " + out + " and " + other.in + " → " + other.out
                    + " do not add");
        }
        float[] d = new float[down.length + other.down.length];
        float[] u = new float[up.length + other.up.length];
        System.arraycopy(down, 0, d, 0, down.length);
        System.arraycopy(other.down, 0, d, down.length, other.down.length);
        System.arraycopy(up, 0, u, 0, up.length);
        System.arraycopy(other.up, 0, u, up.length, other.up.length);
        return new LowRank(in, out, rank + other.rank, d, u);
    }

    /**
     * {@code y[m, out] += (x[m, in] · Dᵀ) · U}, row by row and four rank components at a time:
     * one pass over x for their four dot products, one pass over y for their four updates.
     * Nothing is allocated and no intermediate row is kept.
     */
    public void addTo(float[] x, int m, float[] y) {
        if ((long) m * in > x.length || (long) m * out > y.length) {
            throw new IllegalArgumentException("a low-rank term " + in + " → " + out + " of " + m + " rows with x["
                    + x.length + "], y[" + y.length + "]");
        }
        for (int row = 0; row < m; row++) {
            int xOff = row * in;
            int yOff = row * out;
            int r = 0;
            for (; r + 4 <= rank; r += 4) {
                addFour(x, xOff, y, yOff, r);
            }
            for (; r < rank; r++) {
                Kernels.axpy(Kernels.dot(x, xOff, down, r * in, in), up, r * out, y, yOff, out);
            }
        }
    }

    /** Rank components r..r+3 of one row: {@code y[yOff..] += Σ_k (x[xOff..] · D[r+k]) · U[r+k]}. */
    private void addFour(float[] x, int xOff, float[] y, int yOff, int r) {
        int d0 = r * in;
        int d1 = d0 + in;
        int d2 = d1 + in;
        int d3 = d2 + in;
        FloatVector s0 = FloatVector.zero(F);
        FloatVector s1 = s0;
        FloatVector s2 = s0;
        FloatVector s3 = s0;
        int i = 0;
        for (; i <= in - L; i += L) {
            FloatVector xv = FloatVector.fromArray(F, x, xOff + i);
            s0 = FloatVector.fromArray(F, down, d0 + i).fma(xv, s0);
            s1 = FloatVector.fromArray(F, down, d1 + i).fma(xv, s1);
            s2 = FloatVector.fromArray(F, down, d2 + i).fma(xv, s2);
            s3 = FloatVector.fromArray(F, down, d3 + i).fma(xv, s3);
        }
        float t0 = VectorMath.sum(s0);
        float t1 = VectorMath.sum(s1);
        float t2 = VectorMath.sum(s2);
        float t3 = VectorMath.sum(s3);
        for (; i < in; i++) {
            t0 += x[xOff + i] * down[d0 + i];
            t1 += x[xOff + i] * down[d1 + i];
            t2 += x[xOff + i] * down[d2 + i];
            t3 += x[xOff + i] * down[d3 + i];
        }
        int u0 = r * out;
        int u1 = u0 + out;
        int u2 = u1 + out;
        int u3 = u2 + out;
        FloatVector v0 = FloatVector.broadcast(F, t0);
        FloatVector v1 = FloatVector.broadcast(F, t1);
        FloatVector v2 = FloatVector.broadcast(F, t2);
        FloatVector v3 = FloatVector.broadcast(F, t3);
        int o = 0;
        for (; o <= out - L; o += L) {
            FloatVector.fromArray(F, up, u3 + o).fma(v3, FloatVector.fromArray(F, up, u2 + o).fma(v2,
                    FloatVector.fromArray(F, up, u1 + o).fma(v1, FloatVector.fromArray(F, up, u0 + o).fma(v0,
                            FloatVector.fromArray(F, y, yOff + o))))).intoArray(y, yOff + o);
        }
        for (; o < out; o++) {
            y[yOff + o] += t0 * up[u0 + o] + t1 * up[u1 + o] + t2 * up[u2 + o] + t3 * up[u3 + o];
        }
    }

    /**
     * The backward of {@link #addTo} over m rows, given its input x [m × in] and dy [m × out]:
     * with h = x·Dᵀ and g = dy·Uᵀ (both [m × rank]), {@code dx += g·D} (when dx is not null) and
     * the gradients of the term's own factors added into {@code grads}: {@code dD += gᵀ·x} at
     * {@code downSlot} ([rank × in]) and {@code dU += hᵀ·dy} at {@code upSlot} ([rank × out]); a
     * negative slot takes none. For LoRA's factors (D = A, U = s·Bᵀ) these are
     * dx += s·(dy·B)·A, dA = s·(dy·B)ᵀ·x and dU = (x·Aᵀ)ᵀ·dy, that is dB = s·dyᵀ·(x·Aᵀ).
     * Each sum runs in a fixed order whatever the number of threads.
     */
    public void backward(float[] x, float[] dy, int m, float[] dx, float[] grads, int downSlot, int upSlot) {
        if ((long) m * in > x.length || (long) m * out > dy.length || (dx != null && (long) m * in > dx.length)) {
            throw new IllegalArgumentException("the backward of a low-rank term " + in + " → " + out + " over " + m
                    + " rows with x[" + x.length + "], dy[" + dy.length + "]" + (dx == null ? "" : ", dx[" + dx.length + "]"));
        }
        Scratch scratch = SCRATCH.get();
        float[] h = scratch.h(m * rank);
        float[] g = scratch.g(m * rank);
        Parallel.forRange(m, (r0, r1) -> {
            for (int row = r0; row < r1; row++) {
                for (int r = 0; r < rank; r++) {
                    h[row * rank + r] = Kernels.dot(x, row * in, down, r * in, in);
                    g[row * rank + r] = Kernels.dot(dy, row * out, up, r * out, out);
                }
                if (dx != null) {
                    for (int r = 0; r < rank; r++) {
                        Kernels.axpy(g[row * rank + r], down, r * in, dx, row * in, in);
                    }
                }
            }
        });
        if (downSlot >= 0) {
            factorGradient(g, x, m, in, grads, downSlot);
        }
        if (upSlot >= 0) {
            factorGradient(h, dy, m, out, grads, upSlot);
        }
    }

    /** {@code grads[slot + r·width + j] += Σ_row coefficients[row, r] · rows[row, j]}, rows in ascending order. */
    private void factorGradient(float[] coefficients, float[] rows, int m, int width, float[] grads, int slot) {
        Parallel.forRange(rank, (k0, k1) -> {
            for (int r = k0; r < k1; r++) {
                for (int row = 0; row < m; row++) {
                    Kernels.axpy(coefficients[row * rank + r], rows, row * width, grads, slot + r * width, width);
                }
            }
        });
    }

    /**
     * Adds the term's matrix to {@code count} rows of a weight stored [out, in] (rows
     * {@code first..first+count-1}, in {@code w[0, count·in)}): {@code W[o, i] += Σ_r U[r, o] · D[r, i]},
     * the merged weight that maps x as the weight and the term together do.
     */
    public void addToWeightRows(long first, int count, float[] w) {
        for (int j = 0; j < count; j++) {
            int o = Math.toIntExact(first + j);
            for (int r = 0; r < rank; r++) {
                Kernels.axpy(up[r * out + o], down, r * in, w, j * in, in);
            }
        }
    }

    /** A thread's rows of x·Dᵀ and dy·Uᵀ for the backward, grown to the largest batch seen. */
    private static final class Scratch {
        private float[] h = new float[0];
        private float[] g = new float[0];

        float[] h(int n) {
            return h.length >= n ? h : (h = new float[n]);
        }

        float[] g(int n) {
            return g.length >= n ? g : (g = new float[n]);
        }
    }
}
