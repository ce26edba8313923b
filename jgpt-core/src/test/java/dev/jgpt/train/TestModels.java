package dev.jgpt.train;

import dev.jgpt.model.Architecture;
import dev.jgpt.model.ModelConfig;
import dev.jgpt.model.Rope;
import dev.jgpt.model.load.HfTensors;
import dev.jgpt.model.load.TensorInit;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

/** Small models and batches for the training tests. */
final class TestModels {
    private TestModels() {}

    /** 2 layers, 2 heads of 4, 16 positions, a vocabulary of 13. */
    static ModelConfig tiny() {
        return ModelConfig.gpt2(2, 2, 8, 16, 13);
    }

    /** A tiny Llama: 2 layers, 4 query heads of 4 sharing 2 key/value heads, an MLP of 24, untied unembedding. */
    static ModelConfig tinyLlama() {
        return new ModelConfig(Architecture.llama(Rope.of(Rope.Style.NEOX, 4, 10000)), 2, 4, 2, 16, 24, 16, 13, 1e-5f, false);
    }

    /** A tiny Qwen2: q, k, v biases, 4 query heads sharing one key/value head, tied unembedding. */
    static ModelConfig tinyQwen2() {
        return new ModelConfig(Architecture.qwen2(Rope.of(Rope.Style.NEOX, 4, 10000)), 2, 4, 1, 16, 24, 16, 13, 1e-5f, true);
    }

    /** A tiny Granite: Llama with embedding, residual, attention and logit multipliers. */
    static ModelConfig tinyGranite() {
        return new ModelConfig(Architecture.granite(Rope.of(Rope.Style.NEOX, 4, 10000), 3f, 0.5f, 0.2f, 2f), 2, 4, 2, 16, 24,
                16, 13, 1e-5f, false);
    }

    /** A tiny Phi-3: a sliding window of 3 positions on every layer, cos and sin scaled by 1.2. */
    static ModelConfig tinyPhi3() {
        return new ModelConfig(Architecture.phi3(new Rope(Rope.Style.NEOX, 4, 10000, 1, null, 1.2),
                new Architecture.SlidingWindow(3, 0), null, 0), 2, 4, 4, 16, 24, 16, 13, 1e-5f, false);
    }

    /** A tiny model of the architecture named. */
    static ModelConfig tiny(String architecture) {
        return switch (architecture) {
            case "gpt2" -> tiny();
            case "llama" -> tinyLlama();
            case "qwen2" -> tinyQwen2();
            case "granite" -> tinyGranite();
            case "phi3" -> tinyPhi3();
            default -> throw new IllegalArgumentException(architecture);
        };
    }

    /**
     * Random parameters of {@code std} (norm weights 1 ± std, biases nonzero too), so that every
     * path through the model carries a gradient of some size.
     */
    static Parameters sharp(ModelConfig config, long seed, double std) {
        Parameters p = Parameters.random(config, seed);
        SplittableRandom random = new SplittableRandom(seed);
        MemorySegment data = p.data();
        for (HfTensors.Spec spec : p.specs()) {
            int offset = p.offset(spec.name());
            long count = p.tensor(spec.name()).elementCount();
            boolean normWeight = spec.init() == TensorInit.ONES;
            for (long i = 0; i < count; i++) {
                float value = (float) ((normWeight ? 1 : 0) + random.nextGaussian() * std);
                data.setAtIndex(ValueLayout.JAVA_FLOAT, offset + i, value);
            }
        }
        return p;
    }

    /** {@code n} random token ids below {@code vocab}. */
    static int[] tokens(int n, int vocab, long seed) {
        return new SplittableRandom(seed).ints(n, 0, vocab).toArray();
    }
}
