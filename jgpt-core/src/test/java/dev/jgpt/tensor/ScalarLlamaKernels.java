package dev.jgpt.tensor;

/**
 * Plain double-precision twins of the Llama-family kernels (RMSNorm, rotary embeddings), each
 * written from the textbook formula rather than from the kernel.
 */
final class ScalarLlamaKernels {
    private ScalarLlamaKernels() {}

    static void rmsNorm(float[] x, int m, int d, float[] gamma, float eps, float[] out) {
        for (int r = 0; r < m; r++) {
            double squares = 0;
            for (int i = 0; i < d; i++) {
                squares += (double) x[r * d + i] * x[r * d + i];
            }
            double inv = 1 / Math.sqrt(squares / d + eps);
            for (int i = 0; i < d; i++) {
                out[r * d + i] = (float) (x[r * d + i] * inv * gamma[i]);
            }
        }
    }

    /**
     * Rotary embedding with the angle p·theta[i] for pair i at position p. Adjacent pairs as
     * Meta's reference does it: each pair is a complex number multiplied by e^(i·angle). Halves as
     * Hugging Face does it: x·cos + rotate_half(x)·sin, cos and sin repeated over both halves.
     */
    static void rope(float[] x, int m, int heads, int headSize, int pairs, boolean halves, double[] theta, int firstPosition) {
        for (int r = 0; r < m; r++) {
            int p = firstPosition + r;
            for (int h = 0; h < heads; h++) {
                int off = (r * heads + h) * headSize;
                if (halves) {
                    int d = 2 * pairs;
                    double[] rotated = new double[d];
                    for (int j = 0; j < d; j++) {
                        double rotateHalf = j < pairs ? -x[off + j + pairs] : x[off + j - pairs];
                        double angle = p * theta[j % pairs];
                        rotated[j] = x[off + j] * Math.cos(angle) + rotateHalf * Math.sin(angle);
                    }
                    for (int j = 0; j < d; j++) {
                        x[off + j] = (float) rotated[j];
                    }
                } else {
                    for (int i = 0; i < pairs; i++) {
                        double re = x[off + 2 * i];
                        double im = x[off + 2 * i + 1];
                        double angle = p * theta[i];
                        double c = Math.cos(angle);
                        double s = Math.sin(angle);
                        x[off + 2 * i] = (float) (re * c - im * s);
                        x[off + 2 * i + 1] = (float) (re * s + im * c);
                    }
                }
            }
        }
    }
}
