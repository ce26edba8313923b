package dev.jgpt.tensor;

/** Plain-Java twins of {@link GradientKernels} and {@link Gemm}, the references their tests compare against. */
final class ScalarGradientKernels {
    private ScalarGradientKernels() {}

    static void multiply(int m, int n, int k, Gemm.View a, Gemm.View b, Gemm.View c, boolean accumulate) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int p = 0; p < k; p++) {
                    sum += (double) get(a, i, p) * get(b, p, j);
                }
                int at = c.offset() + i * c.rowStride() + j;
                c.data()[at] = (float) (accumulate ? c.data()[at] + sum : sum);
            }
        }
    }

    static void weightGradient(float[] x, int xOff, float[] dy, int dyOff, int rows, int in, int out, float[] dw, int dwOff) {
        for (int i = 0; i < in; i++) {
            for (int o = 0; o < out; o++) {
                double sum = 0;
                for (int r = 0; r < rows; r++) {
                    sum += (double) x[xOff + r * in + i] * dy[dyOff + r * out + o];
                }
                dw[dwOff + i * out + o] += (float) sum;
            }
        }
    }

    static void biasGradient(float[] dy, int dyOff, int rows, int out, float[] db, int dbOff) {
        for (int o = 0; o < out; o++) {
            double sum = 0;
            for (int r = 0; r < rows; r++) {
                sum += dy[dyOff + r * out + o];
            }
            db[dbOff + o] += (float) sum;
        }
    }

    private static float get(Gemm.View v, int row, int col) {
        return v.data()[v.offset() + row * v.rowStride() + col * v.colStride()];
    }
}
