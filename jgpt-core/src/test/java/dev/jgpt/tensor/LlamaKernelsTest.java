package dev.jgpt.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** RMSNorm and rotary embeddings against their scalar twins ({@link ScalarLlamaKernels}) on odd shapes. */
class LlamaKernelsTest {
    private static final int[] WIDTHS = {1, 2, 3, 7, 8, 16, 17, 31, 64, 100, 257, 1000};

    @Test
    void rmsNormMatchesItsTwin() {
        Random rnd = new Random(11);
        for (int d : WIDTHS) {
            for (int m : new int[] {1, 3, 40}) { // 40 rows of 1000: parallel
                float[] x = KernelsTest.random(rnd, m * d);
                float[] gamma = KernelsTest.random(rnd, d);
                float[] got = new float[m * d];
                float[] want = new float[m * d];
                Kernels.rmsNorm(x, m, d, gamma, 1e-5f, got);
                ScalarLlamaKernels.rmsNorm(x, m, d, gamma, 1e-5f, want);
                for (int i = 0; i < m * d; i++) {
                    assertThat(got[i]).as("d=%d m=%d [%d]", d, m, i).isCloseTo(want[i], within(2e-6f * (1 + Math.abs(want[i]))));
                }
                Kernels.rmsNorm(x, m, d, gamma, 1e-5f, x); // in place
                assertThat(x).containsExactly(got);
            }
        }
    }

    @Test
    void ropeMatchesItsTwinForBothPairings() {
        Random rnd = new Random(12);
        // {heads, headSize, pairs}: whole heads rotated, partial rotation, odd head sizes
        int[][] shapes = {{1, 2, 1}, {3, 8, 4}, {8, 8, 4}, {4, 64, 32}, {2, 10, 3}, {5, 17, 8}, {2, 128, 64}};
        for (int[] s : shapes) {
            int heads = s[0];
            int headSize = s[1];
            int pairs = s[2];
            double[] theta = new double[pairs];
            for (int i = 0; i < pairs; i++) {
                theta[i] = Math.pow(10000, -2.0 * i / (2 * pairs)) / (1 + rnd.nextInt(3));
            }
            int positions = 300;
            float[] cos = new float[positions * pairs];
            float[] sin = new float[positions * pairs];
            for (int p = 0; p < positions; p++) {
                for (int i = 0; i < pairs; i++) {
                    cos[p * pairs + i] = (float) Math.cos(p * theta[i]);
                    sin[p * pairs + i] = (float) Math.sin(p * theta[i]);
                }
            }
            for (boolean halves : new boolean[] {false, true}) {
                for (int first : new int[] {0, 1, 250}) {
                    int m = first == 250 ? 50 : 5;
                    float[] got = KernelsTest.random(rnd, m * heads * headSize);
                    float[] want = got.clone();
                    Kernels.rope(got, m, heads, headSize, pairs, halves, cos, sin, first);
                    ScalarLlamaKernels.rope(want, m, heads, headSize, pairs, halves, theta, first);
                    for (int i = 0; i < got.length; i++) {
                        assertThat(got[i]).as("heads=%d size=%d pairs=%d halves=%s first=%d [%d]", heads, headSize, pairs,
                                halves, first, i).isCloseTo(want[i], within(1e-5f));
                    }
                }
            }
        }
    }
}
