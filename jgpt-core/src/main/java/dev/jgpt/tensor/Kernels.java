package dev.jgpt.tensor;

/**
 * The numeric kernels of the forward pass. Activations are row-major {@code float[]} on the heap;
 * weights are {@link WeightMatrix} views where they lie.
 */
public final class Kernels {
    private Kernels() {}

    /**
     * {@code y[m, out] = x[m, in] · W + bias[out]} ({@code bias} may be null). Only the first
     * {@code m} rows of {@code x} and {@code y} are read and written.
     */
    public static void linear(float[] x, int m, WeightMatrix w, float[] bias, float[] y) {
        int in = w.in();
        int out = w.out();
        Parallel.forRange(m, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                for (int o = 0; o < out; o++) {
                    float sum = bias == null ? 0f : bias[o];
                    for (int i = 0; i < in; i++) {
                        sum += x[r * in + i] * w.get(i, o);
                    }
                    y[r * out + o] = sum;
                }
            }
        });
    }

    /** Dot product of {@code a[aOff, aOff+n)} and {@code b[bOff, bOff+n)}. */
    public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        float sum = 0f;
        for (int i = 0; i < n; i++) {
            sum += a[aOff + i] * b[bOff + i];
        }
        return sum;
    }

    /** {@code y[yOff, yOff+n) += alpha · x[xOff, xOff+n)}. */
    public static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] += alpha * x[xOff + i];
        }
    }

    /** {@code acc[0, n) += x[0, n)}. */
    public static void add(float[] acc, float[] x, int n) {
        for (int i = 0; i < n; i++) {
            acc[i] += x[i];
        }
    }

    /**
     * LayerNorm of each of the {@code m} rows of width {@code d}:
     * {@code out = (x - mean) / sqrt(var + eps) · gamma + beta}, with the biased variance.
     */
    public static void layerNorm(float[] x, int m, int d, float[] gamma, float[] beta, float eps, float[] out) {
        for (int r = 0; r < m; r++) {
            int off = r * d;
            float mean = 0f;
            for (int i = 0; i < d; i++) {
                mean += x[off + i];
            }
            mean /= d;
            float var = 0f;
            for (int i = 0; i < d; i++) {
                float c = x[off + i] - mean;
                var += c * c;
            }
            var /= d;
            float inv = (float) (1.0 / Math.sqrt(var + eps));
            for (int i = 0; i < d; i++) {
                out[off + i] = (x[off + i] - mean) * inv * gamma[i] + beta[i];
            }
        }
    }

    /** GELU, tanh approximation, in place on {@code x[0, n)}: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
    public static void geluTanh(float[] x, int n) {
        final float c = (float) Math.sqrt(2.0 / Math.PI);
        for (int i = 0; i < n; i++) {
            float v = x[i];
            x[i] = 0.5f * v * (1f + (float) Math.tanh(c * (v + 0.044715f * v * v * v)));
        }
    }

    /** Softmax in place on {@code x[off, off+n)}, stabilised by the maximum. */
    public static void softmax(float[] x, int off, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, x[off + i]);
        }
        float sum = 0f;
        for (int i = 0; i < n; i++) {
            float e = (float) Math.exp(x[off + i] - max);
            x[off + i] = e;
            sum += e;
        }
        float inv = 1f / sum;
        for (int i = 0; i < n; i++) {
            x[off + i] *= inv;
        }
    }
}
