package dev.jgpt.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.jgpt.JgptException;
import org.junit.jupiter.api.Test;

class LearningRateScheduleTest {
    private final LearningRateSchedule cosine = new LearningRateSchedule.WarmupCosine(6e-4f, 6e-5f, 100, 1100);

    @Test
    void warmsUpLinearly() {
        assertThat(cosine.at(0)).isCloseTo(6e-6f, within(1e-12f));
        assertThat(cosine.at(49)).isCloseTo(3e-4f, within(1e-10f));
        assertThat(cosine.at(99)).isCloseTo(6e-4f, within(1e-10f));
    }

    @Test
    void decaysAlongACosineToTheFloorAndStaysThere() {
        assertThat(cosine.at(100)).isEqualTo(6e-4f);
        assertThat(cosine.at(600)).isCloseTo((6e-4f + 6e-5f) / 2, within(1e-10f));
        assertThat(cosine.at(350)).isCloseTo((float) (6e-5 + 5.4e-4 * 0.5 * (1 + Math.cos(Math.PI / 4))), within(1e-10f));
        assertThat(cosine.at(1099)).isGreaterThan(6e-5f).isLessThan(6.01e-5f);
        assertThat(cosine.at(1100)).isEqualTo(6e-5f);
        assertThat(cosine.at(5000)).isEqualTo(6e-5f);
    }

    @Test
    void constantIsConstantAndNoWarmupStartsAtTheTop() {
        assertThat(new LearningRateSchedule.Constant(1e-3f).at(12345)).isEqualTo(1e-3f);
        assertThat(new LearningRateSchedule.WarmupCosine(1e-3f, 0f, 0, 10).at(0)).isEqualTo(1e-3f);
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> new LearningRateSchedule.WarmupCosine(1e-4f, 1e-3f, 0, 10)).isInstanceOf(JgptException.class);
        assertThatThrownBy(() -> new LearningRateSchedule.WarmupCosine(1e-3f, 0f, 20, 10)).isInstanceOf(JgptException.class);
    }
}
