package dev.jgpt.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.jgpt.JgptException;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The one forward pass on every architecture, random weights: against a plain double-precision
 * reference ({@link ReferenceForward}), and KV-cached decoding against recomputing from scratch.
 */
class ArchitecturesTest {
    private static final int VOCAB = 53;
    private static final int CONTEXT = 40;

    static Stream<Arguments> models() {
        return Stream.of(
                Arguments.of("llama, grouped-query (4 heads, 2 kv), untied",
                        new ModelConfig(Architecture.llama(Rope.of(Rope.Style.NORM, 8, 10000)), 2, 4, 2, 32, 48, CONTEXT, VOCAB,
                                1e-5f, false), false),
                Arguments.of("qwen2, q/k/v biases, 6 heads on 2 kv, tied",
                        new ModelConfig(Architecture.qwen2(Rope.of(Rope.Style.NEOX, 8, 1_000_000)), 2, 6, 2, 48, 40, CONTEXT, VOCAB,
                                1e-6f, true), false),
                Arguments.of("llama, Llama 3 frequency scaling, fused qkv",
                        new ModelConfig(Architecture.llama(Rope.llama3(Rope.Style.NORM, 8, 10000, 8, 1, 4, 16)), 2, 4, 4, 32, 40,
                                CONTEXT, VOCAB, 1e-5f, false), true),
                Arguments.of("qwen2, rotary on 4 of 8 dims, positions scaled, fused qkv",
                        new ModelConfig(Architecture.qwen2(new Rope(Rope.Style.NEOX, 4, 10000, 2, null)), 1, 2, 1, 16, 24, CONTEXT,
                                VOCAB, 1e-6f, false), true),
                Arguments.of("qwen3, per-head q/k norms, heads of 16 in a width of 32",
                        new ModelConfig(Architecture.qwen3(Rope.of(Rope.Style.NEOX, 16, 1_000_000)), 2, 4, 2, 32, 48, CONTEXT, VOCAB,
                                1e-6f, true, 16), false),
                Arguments.of("gemma3, local and global layers, window 5, GeGLU, post-norms, per-head q/k norms",
                        new ModelConfig(Architecture.gemma3(Rope.of(Rope.Style.NEOX, 8, 1_000_000), Rope.of(Rope.Style.NEOX, 8, 10000),
                                32, (float) (1 / Math.sqrt(8)), 5), 7, 4, 2, 32, 40, CONTEXT, VOCAB, 1e-6f, true, 8), false),
                Arguments.of("gemma2, soft-caps, window 4 on even layers, heads wider than E / heads",
                        new ModelConfig(Architecture.gemma2(Rope.of(Rope.Style.NEOX, 12, 10000), 16, (float) (1 / Math.sqrt(12)), 4,
                                2f, 3f), 3, 2, 1, 16, 24, CONTEXT, VOCAB, 1e-6f, true, 12), false),
                Arguments.of("olmo2, post-norms only, q/k norms over all heads",
                        new ModelConfig(Architecture.olmo2(Rope.of(Rope.Style.NEOX, 8, 500_000)), 2, 4, 4, 32, 48, CONTEXT, VOCAB,
                                1e-6f, false), false),
                Arguments.of("granite, multipliers, fused qkv",
                        new ModelConfig(Architecture.granite(Rope.of(Rope.Style.NORM, 8, 10000), 3f, 0.5f, 0.125f, 4f), 2, 4, 2, 32,
                                40, CONTEXT, VOCAB, 1e-5f, false), true),
                Arguments.of("phi3, window 6 on every layer, rope with an attention factor",
                        new ModelConfig(Architecture.phi3(new Rope(Rope.Style.NEOX, 8, 10000, 1, null, 1.25),
                                new Architecture.SlidingWindow(6, 0), null, 0), 2, 2, 2, 16, 24, CONTEXT, VOCAB, 1e-5f, false), true),
                Arguments.of("gpt2, learned positions, LayerNorm, GELU",
                        new ModelConfig(Architecture.GPT2, 2, 4, 4, 32, 128, CONTEXT, VOCAB, 1e-5f, true), true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void logitsOfEveryPositionMatchTheDoublePrecisionReference(String name, ModelConfig config, boolean fused) {
        ModelWeights weights = new RandomModels(1).weights(config, fused);
        int[] tokens = tokens(new Random(2), 23);
        double[][] want = new ReferenceForward(weights).logits(tokens);
        float[][] got = allLogits(new Transformer(weights), tokens);
        for (int t = 0; t < tokens.length; t++) {
            for (int v = 0; v < VOCAB; v++) {
                assertThat((double) got[t][v]).as("%s: logits[%d][%d]", name, t, v)
                        .isCloseTo(want[t][v], within(1e-4 * (1 + Math.abs(want[t][v]))));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void cachedDecodeEqualsRecomputingTheWholeSequence(String name, ModelConfig config, boolean fused) {
        Transformer transformer = new Transformer(new RandomModels(3).weights(config, fused));
        int[] tokens = tokens(new Random(4), CONTEXT);
        float[][] full = allLogits(transformer, tokens);
        KvCache cache = transformer.newCache();
        int[] pieces = {5, 1, 3, 1, 1, 7, 1};
        int at = 0;
        for (int i = 0; at < tokens.length; i++) {
            int next = Math.min(tokens.length, at + (i < pieces.length ? pieces[i] : 1));
            float[] logits = transformer.forward(tokens, at, next, cache);
            float[] fresh = transformer.forward(tokens, 0, next, transformer.newCache()).clone();
            for (int v = 0; v < VOCAB; v++) {
                assertThat(logits[v]).as("%s: after %d tokens, cached", name, next)
                        .isCloseTo(full[next - 1][v], within(2e-5f));
                assertThat(fresh[v]).as("%s: after %d tokens, fresh", name, next)
                        .isCloseTo(full[next - 1][v], within(2e-5f));
            }
            at = next;
        }
        assertThat(cache.length()).isEqualTo(CONTEXT);
    }

    @Test
    void rotaryPositionsRunPastTheContextLengthLearnedOnesCannot() {
        ModelConfig llama = (ModelConfig) models().findFirst().orElseThrow().get()[1];
        ModelWeights weights = new RandomModels(10).weights(llama, false);
        Transformer transformer = new Transformer(weights);
        int[] tokens = tokens(new Random(11), CONTEXT + 20);
        float[] logits = transformer.forward(tokens, 0, tokens.length, transformer.newCache(tokens.length));
        double[] want = new ReferenceForward(weights).logits(tokens)[tokens.length - 1];
        for (int v = 0; v < VOCAB; v++) {
            assertThat((double) logits[v]).isCloseTo(want[v], within(1e-4 * (1 + Math.abs(want[v]))));
        }
        Transformer gpt2 = new Transformer(new RandomModels(12).weights(ModelConfig.gpt2(1, 2, 8, CONTEXT, VOCAB), true));
        assertThatThrownBy(() -> gpt2.newCache(CONTEXT + 1)).isInstanceOf(JgptException.class).hasMessageContaining("1..40");
        KvCache small = gpt2.newCache(8);
        assertThatThrownBy(() -> gpt2.forward(tokens, 0, 9, small)).isInstanceOf(JgptException.class)
                .hasMessageContaining("9 positions needed, the cache holds 8");
    }

    /**
     * Phi-3's LongRoPE: a cache of up to the original context (16 here) rotates by the short
     * factors, a longer one by the long factors, as llama.cpp chooses by its context size; both
     * with the attention factor on cos and sin.
     */
    @Test
    void longRopeFactorsTakeOverPastTheOriginalContext() {
        Rope shortRope = new Rope(Rope.Style.NEOX, 8, 10000, 1, new float[] {1, 1.5f, 2, 3}, 1.19);
        Rope longRope = new Rope(Rope.Style.NEOX, 8, 10000, 1, new float[] {1, 4, 9, 20}, 1.19);
        ModelWeights weights = new RandomModels(8).weights(phi3(shortRope, longRope), true);
        int[] tokens = tokens(new Random(9), 12);
        Transformer transformer = new Transformer(weights);
        for (int capacity : new int[] {16, 17}) {
            Rope expected = capacity > 16 ? longRope : shortRope;
            ModelWeights plain = new ModelWeights(phi3(expected, null), weights.tokenEmbedding(), null, weights.layers(),
                    weights.finalNorm(), weights.unembedding());
            double[] want = new ReferenceForward(plain).logits(tokens)[tokens.length - 1];
            float[] logits = transformer.forward(tokens, 0, tokens.length, transformer.newCache(capacity));
            for (int v = 0; v < VOCAB; v++) {
                assertThat((double) logits[v]).as("a cache of %d, logit %d", capacity, v)
                        .isCloseTo(want[v], within(1e-4 * (1 + Math.abs(want[v]))));
            }
        }
    }

    private static ModelConfig phi3(Rope rope, Rope longRope) {
        return new ModelConfig(Architecture.phi3(rope, null, longRope, longRope == null ? 0 : 16), 2, 2, 2, 16, 24, CONTEXT,
                VOCAB, 1e-5f, false);
    }

    @Test
    void trainingRefusesAnArchitectureWithoutABackwardNamingWhatLacksOne() {
        ModelConfig gemma2 = new ModelConfig(Architecture.gemma2(Rope.of(Rope.Style.NEOX, 8, 10000), 16, 0.25f, 4, 2f, 3f),
                1, 2, 1, 16, 24, CONTEXT, VOCAB, 1e-6f, true, 8);
        Transformer transformer = new Transformer(new RandomModels(6).weights(gemma2, false));
        int[] tokens = tokens(new Random(7), 4);
        assertThatThrownBy(() -> transformer.train(tokens, tokens, 1, 4, Activations.training(gemma2, 1, 4, false), null, 1f))
                .isInstanceOf(JgptException.class)
                .hasMessage("training a gemma2 model is not supported: there is no backward for its GeGLU, "
                        + "norms after attention and the MLP, soft-capping");
    }

    private static float[][] allLogits(Transformer transformer, int[] tokens) {
        float[][] rows = new float[tokens.length][];
        transformer.forwardAll(tokens, 0, tokens.length, transformer.newCache(), (row, logits, offset) ->
                rows[row] = Arrays.copyOfRange(logits, offset, offset + VOCAB));
        return rows;
    }

    private static int[] tokens(Random random, int n) {
        int[] tokens = new int[n];
        for (int i = 0; i < n; i++) {
            tokens[i] = random.nextInt(VOCAB);
        }
        return tokens;
    }
}
