package dev.jgpt.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The layers' vector kernels (forward and backward) against their scalar twins ({@link ScalarLayers}), odd shapes included. */
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
        Norm norm = new Norm(ModelConfig.gpt2(1, 1, d, 1, 1));
        NormWeights weights = new NormWeights(gamma, beta);
        norm.forward(weights, x, m, y);
        ScalarLayers.layerNormForward(x, m, d, gamma, beta, 1e-5f, y2, mean2, rstd2);
        assertClose(y, y2, 2e-6, "y");

        float[] dy = values(m * d, 1);
        float[] dx = values(m * d, 1);
        float[] dx2 = dx.clone();
        float[] grads = values(2 * d + 3, 1);
        float[] grads2 = grads.clone();
        norm.backward(weights, dy, x, m, dx, grads, new Gradients.NormSlots(3, 3 + d), mean, rstd);
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
        Mlp.geluForward(x, y, ex, 0, n);
        float[] dy = values(n, 1);
        float[] dx = dy.clone();
        Mlp.geluBackward(x, ex, dx, 0, n);
        for (int i = 0; i < n; i++) {
            assertThat((double) y[i]).as("gelu(%s)", x[i]).isCloseTo(ScalarLayers.gelu(x[i]), within(1e-6 + 1e-6 * Math.abs(x[i])));
            assertThat((double) dx[i]).as("gelu'(%s)", x[i]).isCloseTo(dy[i] * ScalarLayers.geluSlope(x[i]), within(1e-6));
        }
    }

    @Test
    void geluAtTheEdgesMatchesScalar() {
        float[] x = {0f, -0f, 1e-30f, -1e-30f, 30f, -30f, 100f, -100f, 3e38f, -3e38f};
        float[] y = new float[x.length];
        Mlp.geluForward(x, y, null, 0, x.length);
        for (int i = 0; i < x.length; i++) {
            assertThat((double) y[i]).as("gelu(%s)", x[i]).isCloseTo(ScalarLayers.gelu(x[i]), within(2e-6 * (1e-30 + Math.abs(x[i]))));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 15, 16, 17, 1000})
    void swigluForwardAndBackwardMatchScalar(int n) {
        float[] gate = values(n, 6);
        float[] up = values(n, 2);
        for (int i = 0; i < n; i += 5) {
            gate[i] *= 8; // far tails: silu(−48) ≈ 0, silu(48) ≈ 48
        }
        float[] act = new float[n];
        Mlp.swigluForward(gate, up, act, 0, n);
        float[] dAct = values(n, 1);
        float[] dUp = dAct.clone();
        float[] dGate = new float[n];
        Mlp.swigluBackward(gate, up, dUp, dGate, 0, n);
        for (int i = 0; i < n; i++) {
            double g = gate[i];
            double sigmoid = 1 / (1 + Math.exp(-g));
            assertThat((double) act[i]).as("act[%d]", i).isCloseTo(g * sigmoid * up[i], within(2e-6 * (1 + Math.abs(g * up[i]))));
            assertThat((double) dUp[i]).as("dUp[%d]", i).isCloseTo(dAct[i] * g * sigmoid, within(2e-6 * (1 + Math.abs(g))));
            assertThat((double) dGate[i]).as("dGate[%d]", i)
                    .isCloseTo(dAct[i] * up[i] * sigmoid * (1 + g * (1 - sigmoid)), within(2e-6 * (1 + Math.abs(g))));
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
        Attention attention = new Attention(ModelConfig.gpt2(1, heads, e, seq, 1));
        float[] q = part(qkv, batch * seq, e, 0);
        float[] k = part(qkv, batch * seq, e, 1);
        float[] v = part(qkv, batch * seq, e, 2);
        for (int b = 0; b < batch; b++) {
            attention.forward(q, b * seq, seq, 0, k, v, b * seq * e, probs, b * heads * seq * seq, seq, true, 0, out);
        }
        ScalarLayers.attentionForward(qkv, batch, seq, heads, e, probs2, out2);
        assertClose(probs, probs2, 1e-6, "probs");
        assertClose(out, out2, 1e-5, "out");

        float[] dout = values(out.length, 1);
        float[] dq = values(q.length, 1); // stale values must be overwritten
        float[] dk = values(k.length, 1);
        float[] dv = values(v.length, 1);
        float[] dqkv2 = new float[qkv.length];
        attention.backward(dout, q, k, v, probs, batch, seq, dq, dk, dv);
        ScalarLayers.attentionBackward(dout, qkv, probs, batch, seq, heads, e, dqkv2);
        assertClose(dq, part(dqkv2, batch * seq, e, 0), 1e-5, "dq");
        assertClose(dk, part(dqkv2, batch * seq, e, 1), 1e-5, "dk");
        assertClose(dv, part(dqkv2, batch * seq, e, 2), 1e-5, "dv");
    }

    /** Part {@code which} (q, k or v) of rows laid out [q | k | v], each e wide. */
    private static float[] part(float[] qkv, int rows, int e, int which) {
        float[] out = new float[rows * e];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(qkv, r * 3 * e + which * e, out, r * e, e);
        }
        return out;
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
