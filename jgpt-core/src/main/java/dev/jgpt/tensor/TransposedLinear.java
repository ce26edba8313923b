package dev.jgpt.tensor;

import java.util.Arrays;

/**
 * The input gradient of a linear map, {@code dx = dy · Wᵀ} for {@code y = x · W}, through a weight
 * of any dtype: float weights are read in the other orientation by {@link Kernels#linear}
 * ({@link WeightMatrix#transposed()}); quantized ones, whose blocks run along each stored row
 * [out, in], have no transpose and are decoded here a band of blocks at a time. Backpropagating
 * through a frozen quantized matrix needs only this, never its gradient.
 */
public final class TransposedLinear {
    /** Blocks of a row decoded per task: threads take disjoint bands of dx's columns. */
    private static final int BAND_BLOCKS = 8;
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private TransposedLinear() {}

    /**
     * {@code dx[m × in] = dy[m × out] · Wᵀ}: dx's element (r, i) is Σ_o dy(r, o)·W(i, o), summed
     * over o in ascending order whatever the number of threads. Only the first m rows are read and
     * written.
     */
    public static void apply(float[] dy, int m, WeightMatrix w, float[] dx) {
        if (!w.dtype().isQuantized()) {
            Kernels.linear(dy, m, w.transposed(), null, dx);
            return;
        }
        int in = w.in();
        int out = w.out();
        int block = w.dtype().blockSize();
        int bandWidth = BAND_BLOCKS * block;
        int bands = (in + bandWidth - 1) / bandWidth;
        Parallel.forRange(bands, (b0, b1) -> {
            int i0 = b0 * bandWidth;
            int i1 = Math.min(in, b1 * bandWidth);
            float[] row = SCRATCH.get().row(i1 - i0);
            for (int r = 0; r < m; r++) {
                Arrays.fill(dx, r * in + i0, r * in + i1, 0f);
            }
            for (int o = 0; o < out; o++) {
                w.dtype().decode(w.data(), (long) o * in + i0, row, 0, i1 - i0);
                for (int r = 0; r < m; r++) {
                    Kernels.axpy(dy[r * out + o], row, 0, dx, r * in + i0, i1 - i0);
                }
            }
        });
    }

    /** A thread's decoded band of one weight row, grown to the widest band seen. */
    private static final class Scratch {
        private float[] row = new float[0];

        float[] row(int n) {
            return row.length >= n ? row : (row = new float[n]);
        }
    }
}
