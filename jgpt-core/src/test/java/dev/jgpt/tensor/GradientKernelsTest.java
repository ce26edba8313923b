package dev.jgpt.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The vector kernels of the backward against their scalar twins, odd shapes included. */
class GradientKernelsTest {
    private final SplittableRandom random = new SplittableRandom(17);

    @ParameterizedTest
    @CsvSource({"1,1,1", "3,5,7", "4,48,1", "17,33,129", "129,97,300", "5,200,3", "64,64,64", "131,130,257"})
    void gemmMatchesScalarInEveryOrientation(int m, int n, int k) {
        for (boolean transposeA : new boolean[] {false, true}) {
            for (boolean transposeB : new boolean[] {false, true}) {
                for (boolean accumulate : new boolean[] {false, true}) {
                    float[] a = values(3 + m * k);
                    float[] b = values(5 + k * n);
                    Gemm.View av = transposeA ? new Gemm.View(a, 3, 1, m) : Gemm.View.rowMajor(a, 3, k);
                    Gemm.View bv = transposeB ? new Gemm.View(b, 5, 1, k) : Gemm.View.rowMajor(b, 5, n);
                    int ldc = n + 3;
                    float[] c = values(2 + m * ldc);
                    float[] expected = c.clone();
                    Gemm.multiply(m, n, k, av, bv, Gemm.View.rowMajor(c, 2, ldc), accumulate, new Gemm.Workspace());
                    ScalarGradientKernels.multiply(m, n, k, av, bv, Gemm.View.rowMajor(expected, 2, ldc), accumulate);
                    assertClose(c, expected, k, String.format("%d×%d×%d A%s B%s %s", m, n, k, transposeA ? "ᵀ" : "",
                            transposeB ? "ᵀ" : "", accumulate ? "+=" : "="));
                }
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"1,1", "5,3", "13,64", "67,32", "200,50", "256,64"})
    void triangularProductsMatchTheFullProductWhereTheyMatter(int size, int n) {
        for (boolean accumulate : new boolean[] {false, true}) {
            // A_LOWER / A_UPPER: A is zero above / below its diagonal, the product must equal the full one
            for (Gemm.Triangle triangle : new Gemm.Triangle[] {Gemm.Triangle.A_LOWER, Gemm.Triangle.A_UPPER}) {
                float[] a = values(size * size);
                for (int i = 0; i < size; i++) {
                    for (int k = 0; k < size; k++) {
                        boolean zero = triangle == Gemm.Triangle.A_LOWER ? k > i : k < i;
                        a[i * size + k] = zero ? 0f : a[i * size + k];
                    }
                }
                float[] b = values(size * n);
                float[] c = values(size * n);
                float[] expected = c.clone();
                Gemm.multiply(size, n, size, Gemm.View.rowMajor(a, 0, size), Gemm.View.rowMajor(b, 0, n),
                        Gemm.View.rowMajor(c, 0, n), accumulate, triangle, new Gemm.Workspace());
                ScalarGradientKernels.multiply(size, n, size, Gemm.View.rowMajor(a, 0, size), Gemm.View.rowMajor(b, 0, n),
                        Gemm.View.rowMajor(expected, 0, n), accumulate);
                assertClose(c, expected, size, triangle + " " + size + "×" + n);
            }
            // LOWER_OUTPUT: C(i, j) for j ≤ i
            float[] a = values(size * n);
            float[] b = values(n * size);
            float[] c = values(size * size);
            float[] expected = c.clone();
            Gemm.multiply(size, size, n, Gemm.View.rowMajor(a, 0, n), new Gemm.View(b, 0, 1, n),
                    Gemm.View.rowMajor(c, 0, size), accumulate, Gemm.Triangle.LOWER_OUTPUT, new Gemm.Workspace());
            ScalarGradientKernels.multiply(size, size, n, Gemm.View.rowMajor(a, 0, n), new Gemm.View(b, 0, 1, n),
                    Gemm.View.rowMajor(expected, 0, size), accumulate);
            for (int i = 0; i < size; i++) {
                for (int j = 0; j <= i; j++) {
                    assertThat(c[i * size + j]).as("LOWER_OUTPUT (%d, %d)", i, j)
                            .isCloseTo(expected[i * size + j], within(2e-7f * (n + 1) + 1e-6f * Math.abs(expected[i * size + j])));
                }
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"1,1,1", "7,3,5", "33,17,49", "128,384,96", "130,65,1000", "2,1031,16"})
    void weightAndBiasGradientsMatchScalar(int rows, int in, int out) {
        float[] x = values(7 + rows * in);
        float[] dy = values(11 + rows * out);
        float[] dw = values(13 + in * out + 4);
        float[] expected = dw.clone();
        GradientKernels.weightGradient(x, 7, dy, 11, rows, in, out, dw, 13);
        ScalarGradientKernels.weightGradient(x, 7, dy, 11, rows, in, out, expected, 13);
        assertClose(dw, expected, rows, "dW " + rows + "×" + in + "×" + out);

        float[] db = values(out + 9);
        float[] expectedDb = db.clone();
        GradientKernels.biasGradient(dy, 11, rows, out, db, 5);
        ScalarGradientKernels.biasGradient(dy, 11, rows, out, expectedDb, 5);
        assertClose(db, expectedDb, rows, "db " + rows + "×" + out);
    }

    private void assertClose(float[] actual, float[] expected, int terms, String what) {
        for (int i = 0; i < actual.length; i++) {
            assertThat(actual[i]).as("%s [%d]", what, i).isCloseTo(expected[i], within(2e-7f * (terms + 1) + 1e-6f * Math.abs(expected[i])));
        }
    }

    private float[] values(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (random.nextDouble() * 2 - 1);
        }
        return v;
    }
}
