package dev.jgpt.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.jgpt.JgptException;
import dev.jgpt.SharedData;
import dev.jgpt.TinyModels;
import dev.jgpt.format.FileType;
import dev.jgpt.format.Gguf;
import dev.jgpt.format.GgufWriter;
import dev.jgpt.convert.GgufExport;
import dev.jgpt.model.KvCache;
import dev.jgpt.model.load.ModelFiles;
import dev.jgpt.convert.QuantizationMix;
import dev.jgpt.convert.RandomModel;
import dev.jgpt.model.Transformer;
import dev.jgpt.tensor.DType;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Adapters applied as the model runs against the same adapters merged into the weights
 * ({@link LoraMerge}): prefill, decode and batched decode give the same logits.
 */
class LoraInferenceTest {
    private static final GgufWriter.Progress QUIET = (index, count, entry) -> {};
    private static final Predicate<String> ALL = name -> true;

    @TempDir
    Path dir;

    @Test
    void anAdapterAtInferenceEqualsTheMergedModel() {
        Path base = TinyModels.llamaGguf(dir.resolve("llama.gguf"), DType.F32);
        List<LoraFile> adapters = List.of(new LoraFile(adapter(base, "a.gguf", ALL, 4, 8f, 1), 0.7f));
        assertSameLogits(base, adapters, merge(base, adapters, null));
    }

    @Test
    void aFusedQkvWithBiasesTakesAdaptersToo() {
        Path base = dir.resolve("gpt2.gguf");
        RandomModel.gguf(TinyModels.GPT2, DType.F32, 2).write(base);
        List<LoraFile> adapters = List.of(new LoraFile(adapter(base, "a.gguf", name -> !name.contains("ffn_up"), 3, 0f, 2), 1.5f));
        assertSameLogits(base, adapters, merge(base, adapters, null));
    }

    @Test
    void aHuggingFaceFolderTakesAdaptersUnderLlamaCppsNames() {
        Path folder = TinyModels.gpt2Folder(dir.resolve("gpt2"), DType.F32);
        Path gguf = dir.resolve("gpt2.gguf");
        try (GgufExport export = GgufExport.open(folder)) {
            export.write(gguf, QuantizationMix.pure(DType.F32), QUIET);
        }
        // blk.N.attn_qkv is h.N.attn.c_attn, stored [in, out] in the folder and [out, in] in the GGUF file
        List<LoraFile> adapters = List.of(new LoraFile(adapter(gguf, "a.gguf", ALL, 2, 4f, 8), 1f));
        assertSameLogits(folder, adapters, merge(gguf, adapters, null));
    }

    @Test
    void twoAdaptersAdd() {
        Path base = TinyModels.llamaGguf(dir.resolve("llama.gguf"), DType.F32);
        LoraFile first = new LoraFile(adapter(base, "a.gguf", name -> name.contains("attn"), 4, 8f, 3), 1f);
        LoraFile second = new LoraFile(adapter(base, "b.gguf", name -> name.contains("attn_v") || name.contains("ffn"), 2, 4f, 4),
                -0.5f);
        Path once = merge(base, List.of(first), null);
        Path twice = dir.resolve("twice.gguf");
        LoraMerge.write(once, List.of(second), twice, null, QUIET);
        assertSameLogits(base, List.of(first, second), twice);
    }

    @Test
    void atScaleZeroTheModelIsTheBaseModelBitForBit() {
        Path base = TinyModels.llamaGguf(dir.resolve("llama.gguf"), DType.F32);
        List<LoraFile> adapters = List.of(new LoraFile(adapter(base, "a.gguf", ALL, 4, 8f, 5), 0f));
        try (ModelFiles plain = ModelFiles.open(base); ModelFiles adapted = Adapters.attach(ModelFiles.open(base), adapters)) {
            float[] want = logits(plain.transformer());
            assertThat(logits(adapted.transformer())).isEqualTo(want);
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"Q8_0", "Q4_0"})
    void aQuantizedBaseTakesTheAdapterOnItsDequantizedWeights(DType type) {
        Path base = TinyModels.llamaGguf(dir.resolve("llama.gguf"), type);
        List<LoraFile> adapters = List.of(new LoraFile(adapter(base, "a.gguf", ALL, 4, 8f, 6), 1f));
        // merged into F32 weights, W + scale·B·A is exact: the quantized weight's own values plus the term
        assertSameLogits(base, adapters, merge(base, adapters, QuantizationMix.of(FileType.F32)));
        Path requantized = merge(base, adapters, null);
        try (Gguf merged = Gguf.open(requantized)) {
            assertThat(merged.require("blk.1.ffn_down.weight").dtype()).isEqualTo(type);
            assertThat(merged.require("output_norm.weight").dtype()).isEqualTo(DType.F32);
        }
    }

    @Test
    void aRealModelTakesAnAdapter() {
        Path stories = SharedData.require("models/stories260K.gguf");
        List<LoraFile> adapters = List.of(new LoraFile(adapter(stories, "stories-lora.gguf", ALL, 8, 16f, 7), 0.5f));
        assertSameLogits(stories, adapters, merge(stories, adapters, null));
    }

    @Test
    void onlyAGgufModelIsMerged() {
        Path folder = TinyModels.gpt2Folder(dir.resolve("gpt2"), DType.F32);
        Path adapter = dir.resolve("unused.gguf");
        assertThatThrownBy(() -> LoraMerge.write(folder, List.of(new LoraFile(adapter, 1f)), dir.resolve("out.gguf"), null, QUIET))
                .isInstanceOf(JgptException.class)
                .hasMessage(folder + ": adapters merge into a GGUF model; write this one as GGUF first (export-gguf)");
    }

    /** A random adapter for the linear maps of {@code base} that {@code targets} names, written beside the test's files. */
    private Path adapter(Path base, String name, Predicate<String> targets, int rank, float alpha, long seed) {
        Path file = dir.resolve(name);
        try (ModelFiles model = ModelFiles.open(base)) {
            RandomLora.of(model.transformer().weights(), targets, rank, alpha, 0.2, seed).write(file, DType.F16);
        }
        return file;
    }

    private Path merge(Path base, List<LoraFile> adapters, QuantizationMix mix) {
        Path out = dir.resolve("merged-" + System.nanoTime() + ".gguf");
        LoraMerge.Summary summary = LoraMerge.write(base, adapters, out, mix, QUIET);
        assertThat(summary.merged()).isPositive();
        return out;
    }

    /** The adapted base and the merged model give the same logits, which differ from the base model's. */
    private static void assertSameLogits(Path base, List<LoraFile> adapters, Path merged) {
        try (ModelFiles plain = ModelFiles.open(base); ModelFiles adapted = Adapters.attach(ModelFiles.open(base), adapters);
             ModelFiles reference = ModelFiles.open(merged)) {
            float[] want = logits(reference.transformer());
            float[] got = logits(adapted.transformer());
            float[] before = logits(plain.transformer());
            double change = 0;
            for (int i = 0; i < want.length; i++) {
                assertThat(got[i]).as("logit %d", i).isCloseTo(want[i], within(2e-4f * (1 + Math.abs(want[i]))));
                change = Math.max(change, Math.abs(want[i] - before[i]));
            }
            assertThat(change).as("the largest change the adapter makes to a logit").isGreaterThan(0.01);
        }
    }

    /**
     * Every logit of three passes, one after the other: a prefill of 9 tokens (the logits after
     * each), 9 decode steps of the same tokens, and 4 batched decode steps of 3 sequences.
     */
    private static float[] logits(Transformer t) {
        int vocab = t.config().vocabSize();
        Random random = new Random(12);
        int[] tokens = random.ints(9, 0, vocab).toArray();
        float[] all = new float[(9 + 9 + 3 * 4) * vocab];
        KvCache cache = t.newCache(16);
        t.forwardAll(tokens, 0, 9, cache, (row, logits, offset) -> System.arraycopy(logits, offset, all, row * vocab, vocab));
        cache = t.newCache(16);
        for (int p = 0; p < 9; p++) {
            System.arraycopy(t.forward(tokens, p, p + 1, cache), 0, all, (9 + p) * vocab, vocab);
        }
        KvCache[] caches = new KvCache[3];
        for (int r = 0; r < 3; r++) {
            caches[r] = t.newCache(16);
            t.forward(tokens, 0, 1 + 2 * r, caches[r]);
        }
        for (int step = 0; step < 4; step++) {
            int first = (18 + 3 * step) * vocab;
            t.forwardBatch(random.ints(3, 0, vocab).toArray(), caches,
                    (row, logits, offset) -> System.arraycopy(logits, offset, all, first + row * vocab, vocab));
        }
        return all;
    }
}
