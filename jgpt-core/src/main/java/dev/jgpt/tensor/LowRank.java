package dev.jgpt.tensor;

/**
 * A low-rank term added to a linear map, {@code y[m, out] += (x[m, in] · Dᵀ) · U}: {@code down}
 * holds D [rank × in] (LoRA's A) and {@code up} holds U [rank × out] (LoRA's B transposed, its
 * scale already multiplied in). Both are row-major on the heap; the term is small beside the map
 * it adapts, so it is kept as floats whatever the dtype it came in.
 */
public record LowRank(int in, int out, int rank, float[] down, float[] up) {

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
     * {@code y[m, out] += (x[m, in] · Dᵀ) · U}: per row, one dot product and one axpy per rank
     * component (vector kernels), so nothing is allocated and no intermediate row is needed.
     */
    public void addTo(float[] x, int m, float[] y) {
        if ((long) m * in > x.length || (long) m * out > y.length) {
            throw new IllegalArgumentException("a low-rank term " + in + " → " + out + " of " + m + " rows with x["
                    + x.length + "], y[" + y.length + "]");
        }
        for (int row = 0; row < m; row++) {
            for (int r = 0; r < rank; r++) {
                float t = Kernels.dot(x, row * in, down, r * in, in);
                Kernels.axpy(t, up, r * out, y, row * out, out);
            }
        }
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
}
