package dev.jgpt.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class GradientClippingTest {
    @Test
    void scalesToTheMaximumNormAndReturnsTheNormBefore() {
        float[] g = new float[100_003];
        Arrays.fill(g, 0.01f);
        g[7] = -2f;
        double before = Math.sqrt(100_002 * 1e-4 + 4);
        float[] original = g.clone();

        float norm = GradientClipping.clip(g, 1f);

        assertThat((double) norm).isCloseTo(before, within(1e-5));
        assertThat(GradientClipping.norm(g)).isCloseTo(1.0, within(1e-5));
        for (int i = 0; i < g.length; i++) {
            assertThat(g[i]).isCloseTo((float) (original[i] / (before + 1e-6)), within(Math.abs(original[i]) * 1e-6f));
        }
    }

    @Test
    void leavesSmallGradientsAndZeroMaximumAlone() {
        float[] g = {3f, 4f};
        assertThat(GradientClipping.clip(g, 10f)).isEqualTo(5f);
        assertThat(g).containsExactly(3f, 4f);
        assertThat(GradientClipping.clip(g, 0f)).isEqualTo(5f);
        assertThat(g).containsExactly(3f, 4f);
    }
}
