package dev.jgpt.train;

import dev.jgpt.model.ModelConfig;
import dev.jgpt.model.load.Gpt2Tensors;
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

    /**
     * Random parameters of {@code std} (norm weights 1 ± std, biases nonzero too), so that every
     * path through the model carries a gradient of some size.
     */
    static Parameters sharp(ModelConfig config, long seed, double std) {
        Parameters p = Parameters.random(config, seed);
        SplittableRandom random = new SplittableRandom(seed);
        MemorySegment data = p.data();
        for (Gpt2Tensors.Spec spec : p.specs()) {
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
