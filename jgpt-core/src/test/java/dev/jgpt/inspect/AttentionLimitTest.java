package dev.jgpt.inspect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jgpt.JgptException;
import dev.jgpt.model.ModelConfig;
import org.junit.jupiter.api.Test;

class AttentionLimitTest {
    @Test
    void weightsCountTheCausalEntriesOfEveryHead() {
        ModelConfig c = ModelConfig.gpt2(3, 4, 32, 512, 50);
        for (int t : new int[] {1, 2, 7, 100, 511}) {
            long causal = 0; // query q sees keys 0..q
            for (int q = 0; q < t; q++) {
                causal += q + 1;
            }
            assertThat(AttentionLimit.weights(c, t)).isEqualTo(3L * 4 * causal);
        }
    }

    @Test
    void refusesTheFirstLengthPastTheLimitAndSaysHowFarToGo() {
        ModelConfig c = ModelConfig.gpt2(24, 32, 64, 4096, 50);
        int longest = 1;
        while (AttentionLimit.weights(c, longest + 1) <= AttentionLimit.WEIGHTS) {
            longest++;
        }
        AttentionLimit.check(c, longest);
        assertThat(AttentionLimit.mostTokens(c)).isEqualTo(longest);
        int tooLong = longest + 1;
        assertThatThrownBy(() -> AttentionLimit.check(c, tooLong)).isInstanceOf(JgptException.class)
                .hasMessageContaining(tooLong + " tokens").hasMessageContaining("at most " + longest + " tokens");
    }
}
