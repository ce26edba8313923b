package dev.jgpt.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The selection against a full sort. */
class TopTokensTest {

    @Test
    void theKLargestInOrderLowerIndexFirstOnTies() {
        Random random = new Random(11);
        for (int trial = 0; trial < 300; trial++) {
            int n = 1 + random.nextInt(200);
            int k = random.nextInt(n + 5);
            float[] values = new float[n + 3]; // entries past n must be ignored
            for (int i = 0; i < values.length; i++) {
                values[i] = i >= n ? 1e9f : trial % 2 == 0 ? random.nextInt(8) : (float) random.nextGaussian();
            }
            int[] want = IntStream.range(0, n).boxed()
                    .sorted(Comparator.comparingDouble((Integer i) -> -values[i]).thenComparingInt(i -> i))
                    .limit(k).mapToInt(Integer::intValue).toArray();
            assertThat(TopTokens.of(values, n, k)).as("n %d k %d", n, k).containsExactly(want);
        }
    }

    @Test
    void nanIsNeverChosen() {
        float[] values = {Float.NaN, 1, Float.NaN, 3, 2};
        assertThat(TopTokens.of(values, 5, 5)).containsExactly(3, 4, 1);
        assertThat(TopTokens.of(values, 5, 0)).isEmpty();
    }
}
