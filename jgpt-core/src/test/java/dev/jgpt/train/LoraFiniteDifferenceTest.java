package dev.jgpt.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jgpt.TinyModels;
import dev.jgpt.convert.RandomModel;
import dev.jgpt.lora.LoraTargets;
import dev.jgpt.model.ModelWeights;
import dev.jgpt.model.Transformer;
import dev.jgpt.model.load.ModelFiles;
import dev.jgpt.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The gradients of LoRA factors on a frozen model against finite differences of its loss
 * ({@link FiniteDifferences}): every A and B of every adapted map of a tiny Llama (float and
 * quantized: dx flows back through the frozen Q8_0 and Q4_0 matrices) and of a GPT-2 (a fused qkv
 * with biases).
 */
class LoraFiniteDifferenceTest {
    private static final LoraTargets ALL = LoraTargets.parse("q,k,v,o,gate,up,down");
    private static final int BATCH = 2;
    private static final int SEQ = 7;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "Q8_0", "Q4_0"})
    void theFactorsOfALlamasAdapterGetTheirGradients(DType type) {
        check("llama " + type, TinyModels.llamaGguf(dir.resolve("llama.gguf"), type), ALL);
    }

    @Test
    void aFusedQkvWithBiasesGetsItsFactorsGradients() {
        Path base = dir.resolve("gpt2.gguf");
        RandomModel.gguf(TinyModels.GPT2, DType.F32, 2).write(base);
        check("gpt2", base, LoraTargets.parse("q,o,up,down"));
    }

    @Test
    void aFreshAdapterLeavesTheModelAsItWas() {
        try (ModelFiles files = ModelFiles.open(TinyModels.llamaGguf(dir.resolve("llama.gguf"), DType.Q8_0));
             LoraParameters lora = LoraParameters.create(files.transformer().weights(), ALL, 4, 8f, 1)) {
            ModelWeights base = files.transformer().weights();
            assertThat(lora.targets()).isEqualTo(2 * 7);
            assertThat(logits(lora.attach(base))).isEqualTo(logits(base));
        }
    }

    private static void check(String what, Path model, LoraTargets targets) {
        try (ModelFiles files = ModelFiles.open(model);
             LoraParameters lora = LoraParameters.create(files.transformer().weights(), targets, 3, 6f, 7)) {
            ModelWeights base = files.transformer().weights();
            sharpen(lora);
            int vocab = base.config().vocabSize();
            int[] tokens = new SplittableRandom(3).ints(BATCH * SEQ + 1, 0, vocab).toArray();
            int[] inputs = Arrays.copyOfRange(tokens, 0, BATCH * SEQ);
            int[] next = Arrays.copyOfRange(tokens, 1, BATCH * SEQ + 1);
            double largest = FiniteDifferences.check(what, new LoraTrainingModel(base, lora), lora, inputs, next, BATCH, SEQ);
            assertThat(largest).as("the largest gradient checked").isGreaterThan(1e-2);
        }
    }

    /** Every factor random and large (B starts at zero, which would leave A without a gradient). */
    private static void sharpen(LoraParameters lora) {
        SplittableRandom random = new SplittableRandom(9);
        MemorySegment data = lora.data();
        for (int i = 0; i < lora.count(); i++) {
            data.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) (random.nextGaussian() * 0.1));
        }
    }

    private static float[] logits(ModelWeights weights) {
        Transformer t = new Transformer(weights);
        int[] tokens = {1, 5, 9, 2, 7};
        return t.forward(tokens, 0, tokens.length, t.newCache(8)).clone();
    }
}
