package dev.jgpt.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import dev.jgpt.JgptException;
import org.junit.jupiter.api.Test;

/** Rotary embedding parameters: Llama 3's frequency scaling and the checks on bad values. */
class RopeTest {

    @Test
    void llama3ScalingKeepsFastFrequenciesDividesSlowOnesAndBlendsBetween() {
        // Llama 3.1 8B: head size 128, base 500000, factor 8, low 1, high 4, original context 8192
        Rope rope = Rope.llama3(Rope.Style.NORM, 128, 500000, 8, 1, 4, 8192);
        Rope plain = Rope.of(Rope.Style.NORM, 128, 500000);
        double previousRatio = 1;
        int kept = 0;
        int divided = 0;
        for (int i = 0; i < rope.pairs(); i++) {
            double wavelength = 2 * Math.PI / plain.frequency(i);
            double ratio = plain.frequency(i) / rope.frequency(i);
            if (wavelength < 8192 / 4.0) {
                assertThat(ratio).as("pair %d, wavelength %.0f", i, wavelength).isEqualTo(1.0);
                kept++;
            } else if (wavelength > 8192 / 1.0) {
                assertThat(ratio).as("pair %d, wavelength %.0f", i, wavelength).isCloseTo(8.0, offset(1e-6));
                divided++;
            } else {
                assertThat(ratio).as("pair %d blends", i).isBetween(1.0, 8.0);
            }
            assertThat(ratio).as("the divisor grows with the wavelength").isGreaterThanOrEqualTo(previousRatio);
            previousRatio = ratio;
        }
        assertThat(kept).isPositive();
        assertThat(divided).isPositive();
        assertThat(kept + divided).isLessThan(rope.pairs());
    }

    @Test
    void linearScalingDividesEveryFrequency() {
        Rope scaled = new Rope(Rope.Style.NEOX, 64, 10000, 4, null);
        Rope plain = Rope.of(Rope.Style.NEOX, 64, 10000);
        for (int i = 0; i < 32; i++) {
            assertThat(scaled.frequency(i) * 4).isCloseTo(plain.frequency(i), offset(1e-15));
        }
        assertThat(plain.frequency(0)).isEqualTo(1.0);
    }

    @Test
    void badParametersAreClearErrors() {
        assertThatThrownBy(() -> Rope.of(Rope.Style.NORM, 7, 10000)).isInstanceOf(JgptException.class).hasMessageContaining("even");
        assertThatThrownBy(() -> Rope.of(Rope.Style.NORM, 8, 0.5)).isInstanceOf(JgptException.class).hasMessageContaining("base");
        assertThatThrownBy(() -> new Rope(Rope.Style.NORM, 8, 10000, 1, new float[3])).isInstanceOf(JgptException.class)
                .hasMessageContaining("3 frequency factors for 4 pairs");
        assertThatThrownBy(() -> Rope.llama3(Rope.Style.NORM, 8, 10000, 8, 4, 1, 8192)).isInstanceOf(JgptException.class)
                .hasMessageContaining("low_freq_factor < high_freq_factor");
    }
}
