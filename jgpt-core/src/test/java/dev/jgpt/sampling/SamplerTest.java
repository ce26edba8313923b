package dev.jgpt.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jgpt.JgptException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SamplerTest {
    private static final float[] LOGITS = {1.0f, 3.0f, -0.5f, 2.0f, 0.0f, 2.5f, -2.0f, 1.5f};
    private static final int DRAWS = 40_000;

    @Test
    void greedyTakesTheArgmaxAndTheLowestIdOnTies() {
        Sampler sampler = new Sampler(SamplerSettings.greedy(), 4);
        assertThat(sampler.sample(new float[] {0f, 2f, 1f, 2f}, new int[0], 0)).isEqualTo(1);
        assertThat(sampler.sample(LOGITS.clone(), new int[0], 0)).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(floats = {0.5f, 1f, 2f})
    void frequenciesFollowTheSoftmaxAtTheTemperature(float temperature) {
        double[] expected = softmax(LOGITS, temperature, LOGITS.length);
        double[] seen = frequencies(new SamplerSettings(temperature, 0, 1f, 0f, 1f, 7L));
        assertClose(seen, expected);
    }

    @Test
    void topKDrawsOnlyFromTheKMostLikelyRenormalised() {
        // the three highest logits are ids 1 (3.0), 5 (2.5), 3 (2.0)
        double[] seen = frequencies(new SamplerSettings(1f, 3, 1f, 0f, 1f, 11L));
        double[] expected = new double[LOGITS.length];
        double sum = Math.exp(3.0) + Math.exp(2.5) + Math.exp(2.0);
        expected[1] = Math.exp(3.0) / sum;
        expected[5] = Math.exp(2.5) / sum;
        expected[3] = Math.exp(2.0) / sum;
        assertClose(seen, expected);
    }

    @Test
    void topPKeepsTheSmallestNucleusReachingP() {
        double[] p = softmax(LOGITS, 1f, LOGITS.length);
        // sorted: id1, id5, id3, id7, ...; choose p just above the mass of the first two
        float topP = (float) (p[1] + p[5] + 0.01);
        double[] seen = frequencies(new SamplerSettings(1f, 0, topP, 0f, 1f, 13L));
        double sum = p[1] + p[5] + p[3];
        double[] expected = new double[LOGITS.length];
        expected[1] = p[1] / sum;
        expected[5] = p[5] / sum;
        expected[3] = p[3] / sum;
        assertClose(seen, expected);
    }

    @Test
    void minPDropsTokensFarLessLikelyThanTheBest() {
        double[] p = softmax(LOGITS, 1f, LOGITS.length);
        // keep tokens with p ≥ 0.5·p_max: logit ≥ 3 − ln 2 ≈ 2.31 → ids 1 and 5
        double[] seen = frequencies(new SamplerSettings(1f, 0, 1f, 0.5f, 1f, 17L));
        double[] expected = new double[LOGITS.length];
        expected[1] = p[1] / (p[1] + p[5]);
        expected[5] = p[5] / (p[1] + p[5]);
        assertClose(seen, expected);
    }

    @Test
    void repetitionPenaltyLowersTokensAlreadySeen() {
        Sampler sampler = new Sampler(new SamplerSettings(0f, 0, 1f, 0f, 2f, 0L), LOGITS.length);
        // id 1 (3.0) penalised to 1.5 and id 5 (2.5) to 1.25: id 3 (2.0) is now the best
        assertThat(sampler.sample(LOGITS.clone(), new int[] {1, 5, 1}, 3)).isEqualTo(3);
        // negative logits are multiplied: id 6 (−2) becomes −4; the best is unchanged
        assertThat(sampler.sample(LOGITS.clone(), new int[] {6}, 1)).isEqualTo(1);
    }

    @Test
    void presenceAndFrequencyPenaltiesSubtractOnceAndPerOccurrence() {
        int[] history = {1, 5, 1, 6};
        float presence = 0.5f;
        float frequency = 0.3f;
        // OpenAI's definition: logit − presence·[count > 0] − frequency·count
        float[] adjusted = LOGITS.clone();
        int[] counts = new int[LOGITS.length];
        for (int id : history) {
            counts[id]++;
        }
        for (int i = 0; i < adjusted.length; i++) {
            adjusted[i] -= (counts[i] > 0 ? presence : 0f) + frequency * counts[i];
        }
        SamplerSettings settings = new SamplerSettings(1f, 0, 1f, 0f, 1f, 19L).withPenalties(presence, frequency);
        assertClose(frequencies(settings, history), softmax(adjusted, 1f, adjusted.length));
    }

    @Test
    void negativePenaltiesFavourTokensAlreadySeen() {
        // id 4 (0.0) seen twice: 0 + 1.5 + 2·1.0 = 3.5 beats id 1 (3.0)
        SamplerSettings settings = SamplerSettings.greedy().withPenalties(-1.5f, -1f);
        Sampler sampler = new Sampler(settings, LOGITS.length);
        assertThat(sampler.sample(LOGITS.clone(), new int[] {4, 4}, 2)).isEqualTo(4);
        // seen once: 2.5 < 3.0, the best is unchanged
        assertThat(sampler.sample(LOGITS.clone(), new int[] {4}, 1)).isEqualTo(1);
    }

    @Test
    void repetitionPenaltyComesBeforeThePresencePenalty() {
        // id 1: 3.0 / 2 − 1.2 = 0.3 falls below id 0 (0.6); the other order, (3.0 − 1.2) / 2 = 0.9, would not
        SamplerSettings settings = new SamplerSettings(0f, 0, 1f, 0f, 2f, 0L).withPenalties(1.2f, 0f);
        Sampler sampler = new Sampler(settings, 2);
        assertThat(sampler.sample(new float[] {0.6f, 3.0f}, new int[] {1}, 1)).isEqualTo(0);
    }

    @Test
    void theSameSeedGivesTheSameDrawsAndAnotherSeedOthers() {
        int[] a = draws(42L);
        assertThat(draws(42L)).containsExactly(a);
        assertThat(draws(43L)).isNotEqualTo(a);
    }

    @Test
    void logitsAreLeftUnchanged() {
        float[] logits = LOGITS.clone();
        new Sampler(new SamplerSettings(1f, 2, 0.9f, 0.1f, 1.3f, 1L), logits.length).sample(logits, new int[] {1}, 1);
        assertThat(logits).containsExactly(LOGITS);
    }

    @Test
    void settingsOutOfRangeAreClearErrors() {
        assertThatThrownBy(() -> new SamplerSettings(2.5f, 0, 1f, 0f, 1f, 0L))
                .isInstanceOf(JgptException.class).hasMessageContaining("temperature").hasMessageContaining("2.5");
        assertThatThrownBy(() -> new SamplerSettings(-0.1f, 0, 1f, 0f, 1f, 0L)).hasMessageContaining("temperature");
        assertThatThrownBy(() -> new SamplerSettings(Float.NaN, 0, 1f, 0f, 1f, 0L)).hasMessageContaining("temperature");
        assertThatThrownBy(() -> new SamplerSettings(1f, -1, 1f, 0f, 1f, 0L)).hasMessageContaining("top-k");
        assertThatThrownBy(() -> new SamplerSettings(1f, 0, 0f, 0f, 1f, 0L)).hasMessageContaining("top-p");
        assertThatThrownBy(() -> new SamplerSettings(1f, 0, 1f, 1f, 1f, 0L)).hasMessageContaining("min-p");
        assertThatThrownBy(() -> new SamplerSettings(1f, 0, 1f, 0f, 0f, 0L)).hasMessageContaining("repetition");
        assertThatThrownBy(() -> SamplerSettings.greedy().withPenalties(2.5f, 0f)).hasMessageContaining("presence");
        assertThatThrownBy(() -> SamplerSettings.greedy().withPenalties(0f, Float.NaN)).hasMessageContaining("frequency");
    }

    private static int[] draws(long seed) {
        Sampler sampler = new Sampler(new SamplerSettings(1.5f, 0, 1f, 0f, 1f, seed), LOGITS.length);
        int[] out = new int[64];
        for (int i = 0; i < out.length; i++) {
            out[i] = sampler.sample(LOGITS, new int[0], 0);
        }
        return out;
    }

    private static double[] frequencies(SamplerSettings settings) {
        return frequencies(settings, new int[0]);
    }

    private static double[] frequencies(SamplerSettings settings, int[] history) {
        Sampler sampler = new Sampler(settings, LOGITS.length);
        double[] counts = new double[LOGITS.length];
        for (int i = 0; i < DRAWS; i++) {
            counts[sampler.sample(LOGITS, history, history.length)]++;
        }
        for (int i = 0; i < counts.length; i++) {
            counts[i] /= DRAWS;
        }
        return counts;
    }

    private static double[] softmax(float[] logits, float temperature, int n) {
        double[] p = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            p[i] = Math.exp(logits[i] / temperature);
            sum += p[i];
        }
        for (int i = 0; i < n; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /** Each frequency within 5 standard errors of its probability; impossible tokens never drawn. */
    private static void assertClose(double[] seen, double[] expected) {
        for (int i = 0; i < expected.length; i++) {
            double sigma = Math.sqrt(expected[i] * (1 - expected[i]) / DRAWS);
            if (expected[i] == 0) {
                assertThat(seen[i]).as("token %d must never be drawn", i).isZero();
            } else {
                assertThat(seen[i]).as("frequency of token %d", i).isBetween(expected[i] - 5 * sigma, expected[i] + 5 * sigma);
            }
        }
    }
}
