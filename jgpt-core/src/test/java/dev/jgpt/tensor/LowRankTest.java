package dev.jgpt.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The low-rank term against the same sums in float64. */
class LowRankTest {
    private final Random random = new Random(11);

    /** Ranks below, at and past the four components the kernel takes at once; widths with and without a vector tail. */
    @ParameterizedTest
    @CsvSource({"3, 37, 19", "4, 64, 32", "9, 37, 19", "13, 256, 72"})
    void addToAddsTheScaledProductOfTheFactors(int rank, int in, int out) {
        int m = 5;
        float[] a = values(rank * in);
        float[] b = values(out * rank);
        float[] x = values(m * in);
        float[] y = values(m * out);
        double[] want = reference(x, m, in, out, rank, a, b, 0.75, y);
        LowRank.of(in, out, rank, a, b, 0.75f).addTo(x, m, y);
        for (int i = 0; i < m * out; i++) {
            assertThat((double) y[i]).as("y[%d]", i).isCloseTo(want[i], within(1e-4 * (1 + Math.abs(want[i]))));
        }
    }

    @Test
    void twoTermsSideBySideAddBoth() {
        int in = 40;
        int out = 24;
        float[] a1 = values(2 * in);
        float[] b1 = values(out * 2);
        float[] a2 = values(5 * in);
        float[] b2 = values(out * 5);
        float[] x = values(3 * in);
        float[] y = new float[3 * out];
        double[] want = reference(x, 3, in, out, 2, a1, b1, 1.5, new float[3 * out]);
        want = reference(x, 3, in, out, 5, a2, b2, -0.5, toFloats(want));
        LowRank.of(in, out, 2, a1, b1, 1.5f).plus(LowRank.of(in, out, 5, a2, b2, -0.5f)).addTo(x, 3, y);
        for (int i = 0; i < y.length; i++) {
            assertThat((double) y[i]).as("y[%d]", i).isCloseTo(want[i], within(1e-5));
        }
    }

    @Test
    void weightRowsGetTheTermsMatrix() {
        int in = 16;
        int out = 9;
        int rank = 4;
        float[] a = values(rank * in);
        float[] b = values(out * rank);
        float[] w = values(3 * in); // rows 5, 6 and 7 of a weight [out, in]
        float[] merged = w.clone();
        LowRank.of(in, out, rank, a, b, 2f).addToWeightRows(5, 3, merged);
        for (int j = 0; j < 3; j++) {
            for (int i = 0; i < in; i++) {
                double delta = 0;
                for (int r = 0; r < rank; r++) {
                    delta += 2.0 * b[(5 + j) * rank + r] * a[r * in + i];
                }
                assertThat((double) merged[j * in + i]).isCloseTo(w[j * in + i] + delta, within(1e-5));
            }
        }
    }

    /** y + scale · (x · Aᵀ) · Bᵀ in float64, A [rank × in] and B [out × rank] as GGUF stores them. */
    static double[] reference(float[] x, int m, int in, int out, int rank, float[] a, float[] b, double scale, float[] y) {
        double[] result = new double[m * out];
        for (int row = 0; row < m; row++) {
            for (int o = 0; o < out; o++) {
                double sum = y[row * out + o];
                for (int r = 0; r < rank; r++) {
                    double t = 0;
                    for (int i = 0; i < in; i++) {
                        t += (double) x[row * in + i] * a[r * in + i];
                    }
                    sum += scale * t * b[o * rank + r];
                }
                result[row * out + o] = sum;
            }
        }
        return result;
    }

    private static float[] toFloats(double[] values) {
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) values[i];
        }
        return f;
    }

    private float[] values(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }
}
