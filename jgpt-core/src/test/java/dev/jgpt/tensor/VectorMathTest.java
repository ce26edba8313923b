package dev.jgpt.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;

class VectorMathTest {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private static float[] exp(float[] x) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i += F.length()) {
            VectorMath.exp(FloatVector.fromArray(F, x, i)).intoArray(y, i);
        }
        return y;
    }

    @Test
    void expIsWithinTwoUlpOfTheDoubleExpOverTheWholeRange() {
        SplittableRandom random = new SplittableRandom(7);
        float[] x = new float[F.length() * 20_000];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextDouble(-86.9, 88.72);
        }
        float[] y = exp(x);
        for (int i = 0; i < x.length; i++) {
            float expected = (float) Math.exp(x[i]);
            assertThat(Math.abs(y[i] - expected)).as("exp(%s)", x[i]).isLessThanOrEqualTo(2 * Math.ulp(expected));
        }
    }

    @Test
    void expHandlesTheEdges() {
        float[] x = new float[F.length()];
        float[] edges = {0f, -1000f, Float.NEGATIVE_INFINITY, 1000f, Float.POSITIVE_INFINITY, Float.NaN, 88.72f, -86.8f};
        System.arraycopy(edges, 0, x, 0, Math.min(edges.length, x.length));
        float[] y = exp(x);
        float[] expected = {1f, 0f, 0f, Float.POSITIVE_INFINITY, Float.POSITIVE_INFINITY, Float.NaN,
                (float) Math.exp(88.72f), (float) Math.exp(-86.8f)};
        for (int i = 0; i < Math.min(edges.length, x.length); i++) {
            if (Float.isFinite(expected[i])) {
                assertThat(Math.abs(y[i] - expected[i])).as("exp(%s)", x[i]).isLessThanOrEqualTo(2 * Math.ulp(expected[i]));
            } else {
                assertThat(Float.valueOf(y[i])).as("exp(%s)", x[i]).isEqualTo(Float.valueOf(expected[i]));
            }
        }
    }
}
