package dev.jgpt.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.jgpt.format.Gguf;
import dev.jgpt.format.TensorSource;
import dev.jgpt.model.Architecture;
import dev.jgpt.model.ModelConfig;
import dev.jgpt.model.ReferenceForward;
import dev.jgpt.model.Rope;
import dev.jgpt.model.Transformer;
import dev.jgpt.model.load.ModelFiles;
import dev.jgpt.tensor.DType;
import dev.jgpt.tensor.Parallel;
import dev.jgpt.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fresh models as GGUF files: they load as their config and start as GPT-2 prescribes, whatever the dtype. */
class RandomModelTest {
    /** A small Llama with grouped-query attention, an untied unembedding and an MLP width (172) no block type divides. */
    private static final ModelConfig LLAMA = new ModelConfig(Architecture.llama(Rope.of(Rope.Style.NORM, 16, 10000)),
            3, 4, 2, 64, 172, 64, 300, 1e-5f, false);

    @TempDir
    Path dir;

    private Path write(ModelConfig config, DType type, long seed, String name) {
        Path file = dir.resolve(name);
        RandomModel.gguf(config, type, seed).write(file);
        return file;
    }

    /**
     * Qwen3 (per-head q/k norms, heads of 32 in a width of 48) and Gemma 3 (post-norms, GeGLU,
     * local and global rotary bases, a window, per-head q/k norms) written by RandomModel load back
     * as their config, every tensor used, and run as the float64 reference runs them.
     */
    @Test
    void qwen3AndGemma3LoadAsTheirConfigAndRunAsTheReference() {
        Rope rope = Rope.of(Rope.Style.NEOX, 32, 1_000_000);
        List<ModelConfig> configs = List.of(
                new ModelConfig(Architecture.qwen3(rope), 2, 4, 2, 48, 96, 64, 300, 1e-6f, true, 32),
                new ModelConfig(Architecture.gemma3(rope, rope.withBase(10000), 48, (float) (1 / Math.sqrt(32)), 3),
                        7, 4, 1, 48, 96, 64, 300, 1e-6f, true, 32));
        int[] tokens = {5, 17, 250, 3, 99, 42, 7, 7, 120, 64};
        for (ModelConfig config : configs) {
            String name = config.architecture().name();
            try (ModelFiles model = ModelFiles.open(write(config, DType.F32, 9, name + ".gguf"))) {
                assertThat(model.config()).as(name).isEqualTo(config);
                Transformer transformer = model.transformer();
                float[] logits = transformer.forward(tokens, 0, tokens.length, transformer.newCache(16));
                double[] want = new ReferenceForward(transformer.weights()).logits(tokens)[tokens.length - 1];
                for (int v = 0; v < want.length; v++) {
                    assertThat((double) logits[v]).as("%s logit %d", name, v).isCloseTo(want[v], within(1e-5));
                }
            }
        }
    }

    @Test
    void aFreshLlamaLoadsAsItsConfigAndStartsAsGpt2Does() {
        try (ModelFiles model = ModelFiles.open(write(LLAMA, DType.F32, 5, "llama.gguf"))) {
            assertThat(model.config()).isEqualTo(LLAMA);
            TensorSource tensors = model.tensors();
            assertThat(tensors.names().stream().mapToLong(n -> tensors.require(n).elementCount()).sum())
                    .isEqualTo(LLAMA.parameterCount());
            for (String norm : names(tensors, n -> n.endsWith("norm.weight"))) {
                assertThat(tensors.require(norm).toFloatArray()).as(norm).containsOnly(1f);
            }
            // N(0, 0.02) for the embeddings and the maps into a block; 0.02 / √(2·layers) for the maps back into the residual stream
            Predicate<String> residual = n -> n.contains("attn_output") || n.contains("ffn_down");
            assertNormal(values(tensors, names(tensors, n -> !n.contains("norm") && !residual.test(n))), 0.02);
            assertNormal(values(tensors, names(tensors, residual)), 0.02 / Math.sqrt(2 * LLAMA.layers()));
            float[] embedding = tensors.require("token_embd.weight").toFloatArray();
            float[] output = tensors.require("output.weight").toFloatArray();
            assertThat(correlation(embedding, output)).as("embedding and unembedding drawn apart").isCloseTo(0, within(0.05));
            Transformer transformer = model.transformer();
            float[] logits = transformer.forward(new int[] {1, 2, 3}, 0, 3, transformer.newCache());
            assertThat(logits).hasSize(LLAMA.vocabSize());
            assertFinite(logits);
        }
    }

    @Test
    void theSameSeedGivesTheSameWeightsWhateverTheThreadsAndTheDtype() throws IOException {
        Path f32 = write(LLAMA, DType.F32, 5, "f32.gguf");
        int threads = Parallel.threads();
        Parallel.setThreads(1);
        try {
            assertThat(Files.mismatch(f32, write(LLAMA, DType.F32, 5, "one-thread.gguf"))).isEqualTo(-1);
        } finally {
            Parallel.setThreads(threads);
        }
        assertThat(Files.mismatch(f32, write(LLAMA, DType.F32, 6, "other-seed.gguf"))).isNotEqualTo(-1);
        try (Gguf exact = Gguf.open(f32);
             Gguf half = Gguf.open(write(LLAMA, DType.F16, 5, "f16.gguf"));
             Gguf brain = Gguf.open(write(LLAMA, DType.BF16, 5, "bf16.gguf"));
             Gguf q8 = Gguf.open(write(LLAMA, DType.Q8_0, 5, "q8.gguf"))) {
            for (Tensor t : exact.tensors()) {
                float[] want = t.toFloatArray();
                float[] f16 = half.find(t.name()).orElseThrow().toFloatArray();
                float[] bf16 = brain.find(t.name()).orElseThrow().toFloatArray();
                for (int i = 0; i < want.length; i++) {
                    assertThat(f16[i]).as("%s[%d] F16", t.name(), i).isEqualTo(Float.float16ToFloat(Float.floatToFloat16(want[i])));
                    assertThat(bf16[i]).as("%s[%d] BF16", t.name(), i).isEqualTo(Float.intBitsToFloat(DType.toBFloat16(want[i]) << 16));
                }
                Tensor quantized = q8.find(t.name()).orElseThrow();
                if (quantized.dtype() == DType.Q8_0) {
                    // each block of 32 keeps its values to half a step d = max|x| / 127, plus 127 times d's own rounding to f16 (2⁻¹¹·d)
                    float[] got = quantized.toFloatArray();
                    for (int b = 0; b < want.length; b += 32) {
                        float max = 0;
                        for (int i = b; i < b + 32; i++) {
                            max = Math.max(max, Math.abs(want[i]));
                        }
                        for (int i = b; i < b + 32; i++) {
                            assertThat(got[i]).as("%s[%d] Q8_0", t.name(), i).isCloseTo(want[i], within(max / 127 * 0.57f));
                        }
                    }
                }
            }
        }
    }

    @Test
    void aQuantizedFileSaysItsTypeAndKeepsRowsThatAreNotWholeBlocksInF16() {
        try (ModelFiles model = ModelFiles.open(write(LLAMA, DType.Q8_0, 5, "q8.gguf"))) {
            Gguf gguf = model.gguf().orElseThrow();
            assertThat(gguf.metadata().getInt("general.file_type")).isEqualTo(7);
            assertThat(gguf.metadata().getInt("general.quantization_version")).isEqualTo(2);
            for (Tensor t : gguf.tensors()) {
                DType expected = t.rank() == 1 ? DType.F32 : t.name().contains("ffn_down") ? DType.F16 : DType.Q8_0;
                assertThat(t.dtype()).as(t.name()).isEqualTo(expected);
            }
            Transformer transformer = model.transformer();
            assertFinite(transformer.forward(new int[] {7, 8}, 0, 2, transformer.newCache()));
        }
    }

    @Test
    void aFreshGpt2InGgufHasAFusedQkvLearnedPositionsAndZeroBiases() {
        ModelConfig gpt2 = ModelConfig.gpt2(2, 2, 32, 16, 100);
        try (ModelFiles model = ModelFiles.open(write(gpt2, DType.F16, 3, "gpt2.gguf"))) {
            assertThat(model.config()).isEqualTo(gpt2);
            TensorSource tensors = model.tensors();
            assertThat(tensors.require("blk.1.attn_qkv.weight").shape()).containsExactly(96, 32);
            assertThat(tensors.require("position_embd.weight").dtype()).isEqualTo(DType.F32);
            for (String bias : names(tensors, n -> n.endsWith(".bias"))) {
                assertThat(tensors.require(bias).toFloatArray()).as(bias).containsOnly(0f);
            }
            assertThat(names(tensors, n -> n.endsWith(".bias"))).hasSize(2 * 6 + 1);
        }
    }

    private static List<String> names(TensorSource tensors, Predicate<String> which) {
        return tensors.names().stream().filter(which).sorted().toList();
    }

    private static float[] values(TensorSource tensors, List<String> names) {
        List<float[]> parts = new ArrayList<>();
        names.forEach(n -> parts.add(tensors.require(n).toFloatArray()));
        float[] all = new float[parts.stream().mapToInt(p -> p.length).sum()];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }

    /** Sample mean within 4 standard errors of 0, sample deviation within 3% of {@code std} (the sample has > 20000 values). */
    private static void assertNormal(float[] x, double std) {
        assertThat(x.length).isGreaterThan(20_000);
        double sum = 0;
        double squares = 0;
        for (float v : x) {
            sum += v;
            squares += (double) v * v;
        }
        double mean = sum / x.length;
        double deviation = Math.sqrt(squares / x.length - mean * mean);
        assertThat(mean).isCloseTo(0, within(4 * std / Math.sqrt(x.length)));
        assertThat(deviation).isCloseTo(std, within(0.03 * std));
    }

    private static void assertFinite(float[] logits) {
        for (int i = 0; i < logits.length; i++) {
            assertThat(Float.isFinite(logits[i])).as("logit %d is %s", i, logits[i]).isTrue();
        }
    }

    private static double correlation(float[] a, float[] b) {
        double ab = 0;
        double aa = 0;
        double bb = 0;
        for (int i = 0; i < a.length; i++) {
            ab += (double) a[i] * b[i];
            aa += (double) a[i] * a[i];
            bb += (double) b[i] * b[i];
        }
        return ab / Math.sqrt(aa * bb);
    }
}
