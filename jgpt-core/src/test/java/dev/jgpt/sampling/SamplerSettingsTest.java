package dev.jgpt.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jgpt.JgptException;
import org.junit.jupiter.api.Test;

/** Sampler settings by name: the builder's defaults, the values it is given, and the record's range checks behind it. */
class SamplerSettingsTest {
    @Test
    void theBuilderSetsWhatItIsToldAndKeepsTheNamedDefaultsForTheRest() {
        SamplerSettings settings = SamplerSettings.builder().temperature(0.7).topP(0.9).presencePenalty(0.5).seed(42).build();
        assertThat(settings).isEqualTo(new SamplerSettings(0.7f, SamplerSettings.DEFAULT_TOP_K, 0.9f, SamplerSettings.DEFAULT_MIN_P,
                SamplerSettings.DEFAULT_REPETITION_PENALTY, 42, 0.5f, 0f));
        assertThat(SamplerSettings.builder().seed(7).build()).isEqualTo(SamplerSettings.defaults(7))
                .isEqualTo(new SamplerSettings(0.8f, 40, 0.95f, 0.05f, 1f, 7));
    }

    @Test
    void withoutASeedEachBuildDrawsItsOwn() {
        SamplerSettings.Builder builder = SamplerSettings.builder();
        assertThat(builder.build().seed()).isNotEqualTo(builder.build().seed());
    }

    @Test
    void aValueOutOfRangeIsRefusedByBuildNamingIt() {
        assertThatThrownBy(() -> SamplerSettings.builder().temperature(2.5).build()).isInstanceOf(JgptException.class)
                .hasMessage("temperature must be between 0 (greedy) and 2.0, got 2.5");
        assertThatThrownBy(() -> SamplerSettings.builder().topP(0).build()).isInstanceOf(JgptException.class)
                .hasMessage("top-p must be in (0, 1] (1 = off), got 0.0");
    }
}
