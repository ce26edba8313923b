package dev.jgpt.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The cache holds rows for the positions used, doubling up to its capacity, and growing loses nothing. */
class KvCacheTest {
    private static final ModelConfig CONFIG = new ModelConfig(Architecture.llama(Rope.of(Rope.Style.NORM, 8, 10000)), 2, 4, 2, 32,
            64, 600, 50, 1e-5f, false);

    @Test
    void rowsDoubleAsPositionsFillUpToTheCapacity() {
        Transformer transformer = new Transformer(new RandomModels(3).weights(CONFIG, false));
        KvCache cache = transformer.newCache();
        assertThat(cache.capacity()).isEqualTo(600);
        assertThat(cache.rows()).isEqualTo(KvCache.FIRST_ROWS);
        int[] tokens = tokens(600);
        transformer.forward(tokens, 0, 256, cache);
        assertThat(cache.rows()).isEqualTo(256);
        transformer.forward(tokens, 256, 257, cache);
        assertThat(cache.rows()).isEqualTo(512);
        transformer.forward(tokens, 257, 520, cache);
        assertThat(cache.rows()).isEqualTo(600);
    }

    @Test
    void decodingAcrossEachGrowthGivesTheLogitsOfOnePass() {
        Transformer transformer = new Transformer(new RandomModels(4).weights(CONFIG, false));
        int[] tokens = tokens(560);
        KvCache whole = transformer.newCache();
        whole.reserve(560); // one allocation before anything is written: nothing to carry over
        float[] expected = transformer.forward(tokens, 0, 560, whole).clone();

        KvCache stepwise = transformer.newCache();
        transformer.forward(tokens, 0, 200, stepwise);
        float[] actual = null;
        for (int p = 200; p < 560; p++) { // grows at 256 and 512, carrying the rows written so far
            actual = transformer.forward(tokens, p, p + 1, stepwise);
        }
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i]).as("logit %d", i).isCloseTo(expected[i], within(1e-4f));
        }
    }

    private static int[] tokens(int n) {
        Random random = new Random(9);
        int[] tokens = new int[n];
        for (int i = 0; i < n; i++) {
            tokens[i] = random.nextInt(CONFIG.vocabSize());
        }
        return tokens;
    }
}
