package dev.jgpt.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.jgpt.JgptException;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Decoding several sequences in one batched pass equals decoding each alone, on every architecture. */
class ForwardBatchTest {
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.jgpt.model.ArchitecturesTest#models")
    void aBatchedStepEqualsOneStepPerSequence(String name, ModelConfig config, boolean fused) {
        ModelWeights weights = new RandomModels(5).weights(config, fused);
        Transformer batched = new Transformer(weights);
        Transformer alone = new Transformer(weights);
        Random random = new Random(6);
        int vocab = config.vocabSize();
        // sequences at different positions, in caches of different sizes
        int[] promptLengths = {3, 11, 7};
        int[] capacities = {config.contextLength(), 20, 30};
        int m = promptLengths.length;
        KvCache[] caches = new KvCache[m];
        KvCache[] references = new KvCache[m];
        int[][] sequences = new int[m][];
        for (int r = 0; r < m; r++) {
            sequences[r] = new int[capacities[r]];
            for (int i = 0; i < sequences[r].length; i++) {
                sequences[r][i] = random.nextInt(vocab);
            }
            caches[r] = batched.newCache(capacities[r]);
            references[r] = alone.newCache(capacities[r]);
            batched.forward(sequences[r], 0, promptLengths[r], caches[r]);
            alone.forward(sequences[r], 0, promptLengths[r], references[r]);
        }
        float[][] got = new float[m][vocab];
        for (int step = 0; step < 6; step++) {
            int[] tokens = new int[m];
            for (int r = 0; r < m; r++) {
                tokens[r] = sequences[r][promptLengths[r] + step];
            }
            batched.forwardBatch(tokens, caches, (row, logits, offset) -> System.arraycopy(logits, offset, got[row], 0, vocab));
            for (int r = 0; r < m; r++) {
                int at = promptLengths[r] + step;
                float[] want = alone.forward(sequences[r], at, at + 1, references[r]);
                for (int v = 0; v < vocab; v++) {
                    assertThat(got[r][v]).as("%s: step %d, sequence %d, logit %d", name, step, r, v)
                            .isCloseTo(want[v], within(1e-4f * (1 + Math.abs(want[v]))));
                }
                assertThat(caches[r].length()).isEqualTo(at + 1);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.jgpt.model.ArchitecturesTest#models")
    void aSharedOrFullCacheIsRefused(String name, ModelConfig config, boolean fused) {
        Transformer transformer = new Transformer(new RandomModels(7).weights(config, fused));
        KvCache cache = transformer.newCache(2);
        assertThatThrownBy(() -> transformer.forwardBatch(new int[] {1, 2}, new KvCache[] {cache, cache}, (r, l, o) -> { }))
                .hasMessageContaining("share");
        transformer.forward(new int[] {1, 2}, 0, 2, cache);
        assertThatThrownBy(() -> transformer.forwardBatch(new int[] {1}, new KvCache[] {cache}, (r, l, o) -> { }))
                .isInstanceOf(JgptException.class).hasMessageContaining("full");
    }
}
