package dev.jgpt.tensor;

/**
 * Plain-Java twins of {@link Kernels}, the references the SIMD kernels are tested against.
 * Obvious loops, accumulated in double; speed is no concern here. Weights are read one element
 * at a time through {@link WeightMatrix#get}: for quantized types that is
 * {@link Quantization#value}, the scalar decoder of a single value (itself checked against the
 * SIMD row decoder in {@code QuantizationTest}).
 */
final class ScalarKernels {
    private ScalarKernels() {}

    /** {@code y[m, out] = x[m, in] · W + bias}, each output summed in double. */
    static void linear(float[] x, int m, WeightMatrix w, float[] bias, float[] y) {
        int in = w.in();
        int out = w.out();
        for (int r = 0; r < m; r++) {
            for (int o = 0; o < out; o++) {
                double sum = bias == null ? 0 : bias[o];
                for (int i = 0; i < in; i++) {
                    sum += (double) x[r * in + i] * w.get(i, o);
                }
                y[r * out + o] = (float) sum;
            }
        }
    }

    /** Σ |x[r, i] · W[i, o]| (+ |bias|): the scale a rounding error of {@code y[r, o]} is relative to. */
    static double magnitude(float[] x, int r, WeightMatrix w, float[] bias, int o) {
        int in = w.in();
        double sum = bias == null ? 0 : Math.abs(bias[o]);
        for (int i = 0; i < in; i++) {
            sum += Math.abs((double) x[r * in + i] * w.get(i, o));
        }
        return sum;
    }

    static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += (double) a[aOff + i] * b[bOff + i];
        }
        return (float) sum;
    }

    static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] = (float) (y[yOff + i] + (double) alpha * x[xOff + i]);
        }
    }

    static void add(float[] acc, float[] x, int n) {
        for (int i = 0; i < n; i++) {
            acc[i] += x[i];
        }
    }

    static void layerNorm(float[] x, int m, int d, float[] gamma, float[] beta, float eps, float[] out) {
        for (int r = 0; r < m; r++) {
            int off = r * d;
            double mean = 0;
            for (int i = 0; i < d; i++) {
                mean += x[off + i];
            }
            mean /= d;
            double var = 0;
            for (int i = 0; i < d; i++) {
                double c = x[off + i] - mean;
                var += c * c;
            }
            var /= d;
            double inv = 1.0 / Math.sqrt(var + eps);
            for (int i = 0; i < d; i++) {
                out[off + i] = (float) ((x[off + i] - mean) * inv * gamma[i] + beta[i]);
            }
        }
    }

    static void softmax(float[] x, int off, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, x[off + i]);
        }
        double[] e = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            e[i] = Math.exp(x[off + i] - max);
            sum += e[i];
        }
        for (int i = 0; i < n; i++) {
            x[off + i] = (float) (e[i] / sum);
        }
    }

    /** dx[r, i] = Σ_o dy[r, o] · W(i, o), in double: the twin of {@link TransposedLinear#apply}. */
    static double[] linearTransposed(float[] dy, int m, WeightMatrix w) {
        double[] dx = new double[m * w.in()];
        for (int r = 0; r < m; r++) {
            for (int i = 0; i < w.in(); i++) {
                double sum = 0;
                for (int o = 0; o < w.out(); o++) {
                    sum += (double) dy[r * w.out() + o] * w.get(i, o);
                }
                dx[r * w.in() + i] = sum;
            }
        }
        return dx;
    }
}
