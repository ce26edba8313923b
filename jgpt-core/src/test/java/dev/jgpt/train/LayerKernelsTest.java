package dev.jgpt.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The training layers' vector kernels against their scalar twins ({@link ScalarLayers}), odd shapes included. */
class LayerKernelsTest {
    private final SplittableRandom random = new SplittableRandom(23);

    @ParameterizedTest
    @CsvSource({"1,1", "5,7", "9,37", "3,64", "17,384", "4,1000"})
    void layerNormForwardAndBackwardMatchScalar(int m, int d) {
        float[] x = values(m * d, 3);
        float[] gamma = values(d, 1);
        float[] beta = values(d, 1);
        float[] y = new float[m * d];
        float[] mean = new float[m];
        float[] rstd = new float[m];
        float[] y2 = new float[m * d];
        float[] mean2 = new float[m];
        float[] rstd2 = new float[m];
        LayerNorm.forward(x, m, d, gamma, beta, 1e-5f, y);
        ScalarLayers.layerNormForward(x, m, d, gamma, beta, 1e-5f, y2, mean2, rstd2);
        assertClose(y, y2, 2e-6, "y");

        float[] dy = values(m * d, 1);
        float[] dx = values(m * d, 1);
        float[] dx2 = dx.clone();
        float[] grads = values(2 * d + 3, 1);
        float[] grads2 = grads.clone();
        LayerNorm.backward(dy, x, 1e-5f, gamma, m, d, mean, rstd, dx, grads, 3, 3 + d);
        assertClose(mean, mean2, 1e-6, "mean");
        assertClose(rstd, rstd2, 1e-6, "rstd");
        ScalarLayers.layerNormBackward(dy, x, mean2, rstd2, gamma, m, d, dx2, grads2, 3, 3 + d);
        assertClose(dx, dx2, 1e-5, "dx");
        assertClose(grads, grads2, 1e-5, "dgamma, dbeta");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 15, 16, 17, 1000, 40_001})
    void geluForwardAndBackwardMatchScalar(int n) {
        float[] x = values(n, 6);
        x[0] = n > 1 ? -30f : x[0];
        float[] y = new float[n];
        float[] ex = new float[n];
        Gelu.forward(x, y, ex, n);
        float[] dy = values(n, 1);
        float[] dx = dy.clone();
        Gelu.backward(x, ex, dx, n);
        for (int i = 0; i < n; i++) {
            assertThat((double) y[i]).as("gelu(%s)", x[i]).isCloseTo(ScalarLayers.gelu(x[i]), within(1e-6 + 1e-6 * Math.abs(x[i])));
            assertThat((double) dx[i]).as("gelu'(%s)", x[i]).isCloseTo(dy[i] * ScalarLayers.geluSlope(x[i]), within(1e-6));
        }
    }

    @ParameterizedTest
    @CsvSource({"1,1,1,1", "2,13,3,15", "1,40,2,48", "2,33,3,72", "1,70,1,64", "1,129,2,128"})
    void attentionForwardAndBackwardMatchScalar(int batch, int seq, int heads, int e) {
        float[] qkv = values(batch * seq * 3 * e, 2);
        float[] probs = values(batch * heads * seq * seq, 1); // stale values must not leak through
        float[] out = new float[batch * seq * e];
        float[] probs2 = new float[probs.length];
        float[] out2 = new float[out.length];
        Attention.forward(qkv, batch, seq, heads, e, probs, out);
        ScalarLayers.attentionForward(qkv, batch, seq, heads, e, probs2, out2);
        assertClose(probs, probs2, 1e-6, "probs");
        assertClose(out, out2, 1e-5, "out");

        float[] dout = values(out.length, 1);
        float[] dqkv = values(qkv.length, 1);
        float[] dqkv2 = new float[qkv.length];
        Attention.backward(dout, qkv, probs, batch, seq, heads, e, dqkv);
        ScalarLayers.attentionBackward(dout, qkv, probs, batch, seq, heads, e, dqkv2);
        assertClose(dqkv, dqkv2, 1e-5, "dqkv");
    }

    private static void assertClose(float[] actual, float[] expected, double tolerance, String what) {
        for (int i = 0; i < actual.length; i++) {
            assertThat((double) actual[i]).as("%s[%d]", what, i).isCloseTo(expected[i], within(tolerance * (1 + Math.abs(expected[i]))));
        }
    }

    private float[] values(int n, double scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) ((random.nextDouble() * 2 - 1) * scale);
        }
        return v;
    }
}
