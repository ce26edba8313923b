package dev.jgpt.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link LowRank#backward} against its scalar twin in float64, on widths that leave vector tails. */
class LowRankBackwardTest {
    private static final int IN = 37;
    private static final int OUT = 29;
    private static final int RANK = 5;
    private static final int ROWS = 6;

    private final Random random = new Random(4);
    private final LowRank term = new LowRank(IN, OUT, RANK, values(RANK * IN), values(RANK * OUT));
    private final float[] x = values(ROWS * IN);
    private final float[] dy = values(ROWS * OUT);

    @Test
    void theInputGradientAndBothFactorsGradientsAddToWhatIsThere() {
        float[] dx = values(ROWS * IN);
        float[] grads = values(3 + RANK * IN + 2 + RANK * OUT + 4);
        int downSlot = 3;
        int upSlot = 3 + RANK * IN + 2;
        double[] wantDx = ScalarTwin.dx(term, x, dy, ROWS, dx);
        double[] wantGrads = ScalarTwin.grads(term, x, dy, ROWS, grads, downSlot, upSlot);
        term.backward(x, dy, ROWS, dx, grads, downSlot, upSlot);
        assertClose(dx, wantDx);
        assertClose(grads, wantGrads);
    }

    @Test
    void negativeSlotsAndNoDxLeaveEverythingAsItWas() {
        float[] grads = values(RANK * (IN + OUT));
        float[] before = grads.clone();
        term.backward(x, dy, ROWS, null, grads, -1, -1);
        assertThat(grads).isEqualTo(before);
    }

    private static void assertClose(float[] got, double[] want) {
        for (int i = 0; i < want.length; i++) {
            assertThat((double) got[i]).as("element %d", i).isCloseTo(want[i], within(1e-5 * (1 + Math.abs(want[i]))));
        }
    }

    private float[] values(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }

    /** The backward in float64, loop by loop as the formulas read. */
    private static final class ScalarTwin {
        /** h[m, r] = Σ_i x[m, i]·D[r, i] (coefficient of the up rows) or g[m, r] = Σ_o dy[m, o]·U[r, o]. */
        static double[] project(float[] rows, float[] factor, int m, int width, int rank) {
            double[] p = new double[m * rank];
            for (int row = 0; row < m; row++) {
                for (int r = 0; r < rank; r++) {
                    for (int j = 0; j < width; j++) {
                        p[row * rank + r] += (double) rows[row * width + j] * factor[r * width + j];
                    }
                }
            }
            return p;
        }

        static double[] dx(LowRank t, float[] x, float[] dy, int m, float[] dx) {
            double[] g = project(dy, t.up(), m, t.out(), t.rank());
            double[] want = new double[dx.length];
            for (int row = 0; row < m; row++) {
                for (int i = 0; i < t.in(); i++) {
                    double sum = dx[row * t.in() + i];
                    for (int r = 0; r < t.rank(); r++) {
                        sum += g[row * t.rank() + r] * t.down()[r * t.in() + i];
                    }
                    want[row * t.in() + i] = sum;
                }
            }
            return want;
        }

        static double[] grads(LowRank t, float[] x, float[] dy, int m, float[] grads, int downSlot, int upSlot) {
            double[] h = project(x, t.down(), m, t.in(), t.rank());
            double[] g = project(dy, t.up(), m, t.out(), t.rank());
            double[] want = new double[grads.length];
            for (int i = 0; i < grads.length; i++) {
                want[i] = grads[i];
            }
            for (int r = 0; r < t.rank(); r++) {
                for (int row = 0; row < m; row++) {
                    for (int i = 0; i < t.in(); i++) {
                        want[downSlot + r * t.in() + i] += g[row * t.rank() + r] * x[row * t.in() + i];
                    }
                    for (int o = 0; o < t.out(); o++) {
                        want[upSlot + r * t.out() + o] += h[row * t.rank() + r] * dy[row * t.out() + o];
                    }
                }
            }
            return want;
        }
    }
}
