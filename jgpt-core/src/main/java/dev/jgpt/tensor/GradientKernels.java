package dev.jgpt.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The parameter-gradient halves of backpropagating through {@code y = x · W + bias}: the input
 * gradient {@code dx = dy · Wᵀ} is a forward {@link Kernels#linear} on {@link WeightMatrix#transposed()};
 * these accumulate {@code dW += xᵀ · dy} and {@code dBias += Σ rows dy}. Arrays are row-major
 * {@code float[]}, each addressed from an offset. Multi-threaded; every output element is summed
 * in a fixed order, so results do not depend on the number of threads.
 */
public final class GradientKernels {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final ThreadLocal<Gemm.Workspace> WORKSPACE = ThreadLocal.withInitial(Gemm.Workspace::new);

    private GradientKernels() {}

    /**
     * {@code dw[in × out] += x[rows × in]ᵀ · dy[rows × out]}: x at {@code xOff} with row stride
     * {@code in}, dy at {@code dyOff} with row stride {@code out}, dw at {@code dwOff} with row
     * stride {@code out}. Threads take disjoint bands of dw's rows or columns.
     */
    public static void weightGradient(float[] x, int xOff, float[] dy, int dyOff, int rows, int in, int out,
                                      float[] dw, int dwOff) {
        Gemm.View xt = new Gemm.View(x, xOff, 1, in); // xᵀ [in × rows]
        Gemm.View dyView = Gemm.View.rowMajor(dy, dyOff, out);
        Gemm.View dwView = Gemm.View.rowMajor(dw, dwOff, out);
        // every thread packs the whole of the operand it shares: share the smaller one
        if (out > in) {
            int bands = (out + Gemm.NR - 1) / Gemm.NR;
            Parallel.forRange(bands, (b0, b1) -> {
                int n0 = b0 * Gemm.NR;
                int n1 = Math.min(out, b1 * Gemm.NR);
                Gemm.multiply(in, n1 - n0, rows, xt, dyView.at(0, n0), dwView.at(0, n0), true, WORKSPACE.get());
            });
        } else {
            int bands = (in + Gemm.MR - 1) / Gemm.MR;
            Parallel.forRange(bands, (b0, b1) -> {
                int m0 = b0 * Gemm.MR;
                int m1 = Math.min(in, b1 * Gemm.MR);
                Gemm.multiply(m1 - m0, out, rows, xt.at(m0, 0), dyView, dwView.at(m0, 0), true, WORKSPACE.get());
            });
        }
    }

    /** {@code db[out] += Σ_r dy[r × out]}, dy at {@code dyOff} with row stride {@code out}, db at {@code dbOff}. */
    public static void biasGradient(float[] dy, int dyOff, int rows, int out, float[] db, int dbOff) {
        int blockWidth = 4 * L;
        int blocks = (out + blockWidth - 1) / blockWidth;
        Parallel.forRange(blocks, (b0, b1) -> {
            for (int block = b0; block < b1; block++) {
                int j0 = block * blockWidth;
                sumColumns(dy, dyOff, rows, out, j0, Math.min(blockWidth, out - j0), db, dbOff + j0);
            }
        });
    }

    /** db[0, width) += Σ_r dy[dyOff + r·stride + j0 + (0, width)], four vectors wide at most. */
    private static void sumColumns(float[] dy, int dyOff, int rows, int stride, int j0, int width, float[] db, int dbOff) {
        VectorMask<Float> m0 = F.indexInRange(0, width);
        VectorMask<Float> m1 = F.indexInRange(L, width);
        VectorMask<Float> m2 = F.indexInRange(2 * L, width);
        VectorMask<Float> m3 = F.indexInRange(3 * L, width);
        FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
        if (width == 4 * L) {
            for (int r = 0; r < rows; r++) {
                int at = dyOff + r * stride + j0;
                s0 = s0.add(FloatVector.fromArray(F, dy, at));
                s1 = s1.add(FloatVector.fromArray(F, dy, at + L));
                s2 = s2.add(FloatVector.fromArray(F, dy, at + 2 * L));
                s3 = s3.add(FloatVector.fromArray(F, dy, at + 3 * L));
            }
        } else {
            for (int r = 0; r < rows; r++) {
                int at = dyOff + r * stride + j0;
                s0 = s0.add(FloatVector.fromArray(F, dy, at, m0));
                s1 = s1.add(FloatVector.fromArray(F, dy, at + L, m1));
                s2 = s2.add(FloatVector.fromArray(F, dy, at + 2 * L, m2));
                s3 = s3.add(FloatVector.fromArray(F, dy, at + 3 * L, m3));
            }
        }
        s0.add(FloatVector.fromArray(F, db, dbOff, m0)).intoArray(db, dbOff, m0);
        s1.add(FloatVector.fromArray(F, db, dbOff + L, m1)).intoArray(db, dbOff + L, m1);
        s2.add(FloatVector.fromArray(F, db, dbOff + 2 * L, m2)).intoArray(db, dbOff + 2 * L, m2);
        s3.add(FloatVector.fromArray(F, db, dbOff + 3 * L, m3)).intoArray(db, dbOff + 3 * L, m3);
    }
}
