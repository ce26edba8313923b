package dev.jgpt.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.jgpt.SharedData;
import dev.jgpt.format.FileType;
import dev.jgpt.format.FormatException;
import dev.jgpt.format.Gguf;
import dev.jgpt.format.GgufMetadata;
import dev.jgpt.format.GgufNames;
import dev.jgpt.format.GgufValue;
import dev.jgpt.format.GgufWriter;
import dev.jgpt.format.SafeTensors;
import dev.jgpt.format.SafeTensorsWriter;
import dev.jgpt.model.ModelConfig;
import dev.jgpt.model.load.ModelFiles;
import dev.jgpt.tensor.DType;
import dev.jgpt.tensor.Tensor;
import dev.jgpt.tokenizer.CharTokenizer;
import dev.jgpt.tokenizer.Gpt2Tokenizers;
import dev.jgpt.tokenizer.TokenizerJson;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufExportTest {
    private static final ModelConfig CONFIG = ModelConfig.gpt2(2, 2, 64, 32, 50257);
    private static final GgufWriter.Progress QUIET = (i, n, e) -> {};

    @TempDir
    static Path dir;

    static Path folder;

    @BeforeAll
    static void writeModel() throws IOException {
        folder = dir.resolve("tiny");
        RandomModel.write(CONFIG, DType.F32, 3, folder);
        try (InputStream ranks = GgufExportTest.class.getResourceAsStream("/com/knuddels/jtokkit/r50k_base.tiktoken")) {
            TokenizerJson.write(Gpt2Tokenizers.fromTiktokenResource(ranks), folder.resolve("tokenizer.json"));
        }
    }

    private static Path export(Path from, DType type, String name) {
        Path out = dir.resolve(name);
        try (GgufExport export = GgufExport.open(from)) {
            export.write(out, QuantizationMix.pure(type), QUIET);
        }
        return out;
    }

    @Test
    void gpt2TensorsGetLlamaCppsNamesAndOutInOrientation() {
        Path file = export(folder, DType.F32, "f32.gguf");
        try (Gguf gguf = Gguf.open(file); SafeTensors hf = SafeTensors.open(folder.resolve(ModelFiles.WEIGHTS))) {
            assertThat(gguf.names()).hasSize(2 + 2 * 12 + 2 + 1);
            // llama.cpp's gpt2 loader needs the output matrix even when it is the token embedding
            assertThat(gguf.require("output.weight").shape()).containsExactly(50257, 64);
            assertThat(gguf.require("output.weight").toFloatArray()).isEqualTo(gguf.require("token_embd.weight").toFloatArray());
            assertThat(gguf.require("token_embd.weight").shape()).containsExactly(50257, 64);
            assertThat(gguf.require("position_embd.weight").shape()).containsExactly(32, 64);
            assertThat(gguf.require("blk.1.attn_qkv.weight").shape()).containsExactly(3 * 64, 64);
            assertThat(gguf.require("blk.1.attn_output.weight").shape()).containsExactly(64, 64);
            assertThat(gguf.require("blk.1.ffn_up.weight").shape()).containsExactly(256, 64);
            assertThat(gguf.require("blk.1.ffn_down.weight").shape()).containsExactly(64, 256);
            assertThat(gguf.require("blk.0.ffn_up.bias").shape()).containsExactly(256);
            for (String name : hf.names()) {
                GgufNames.Gpt2Tensor mapped = GgufNames.gpt2FromHuggingFace(name).orElseThrow();
                assertThat(GgufNames.gpt2FromGguf(mapped.gguf())).contains(mapped);
                Tensor from = hf.require(name);
                Tensor to = gguf.require(mapped.gguf());
                assertThat(to.dtype()).isEqualTo(DType.F32);
                float[] a = from.toFloatArray();
                float[] b = to.toFloatArray();
                if (!mapped.transposed()) {
                    assertThat(b).as(name).isEqualTo(a);
                    continue;
                }
                int in = (int) from.shape()[0];
                int out = (int) from.shape()[1];
                assertThat(to.shape()).containsExactly(out, in);
                for (int i = 0; i < in; i++) {
                    for (int o = 0; o < out; o++) {
                        assertThat(b[o * in + i]).as("%s (%d, %d)", name, i, o).isEqualTo(a[i * out + o]);
                    }
                }
            }
        }
    }

    @Test
    void metadataHasTheKeysAndTokenizerOfLlamaCppsOwnGpt2File() {
        Path reference = SharedData.require("tokenizer/ggml-vocab-gpt-2.gguf");
        Path file = export(folder, DType.F32, "meta.gguf");
        try (Gguf ours = Gguf.open(file); Gguf theirs = Gguf.open(reference)) {
            Map<String, GgufValue> a = ours.metadata().asMap();
            Map<String, GgufValue> b = theirs.metadata().asMap();
            assertThat(a.keySet()).containsExactlyElementsOf(b.keySet());
            b.forEach((key, value) -> {
                assertThat(a.get(key).type()).as(key).isEqualTo(value.type());
                if (key.startsWith("tokenizer.")) {
                    assertThat(a.get(key)).as(key).isEqualTo(value);
                }
            });
            GgufMetadata m = ours.metadata();
            assertThat(m.architecture()).isEqualTo("gpt2");
            assertThat(m.getString("general.name")).isEqualTo("tiny");
            assertThat(m.getInt("gpt2.block_count")).isEqualTo(2);
            assertThat(m.getInt("gpt2.context_length")).isEqualTo(32);
            assertThat(m.getInt("gpt2.embedding_length")).isEqualTo(64);
            assertThat(m.getInt("gpt2.feed_forward_length")).isEqualTo(256);
            assertThat(m.getInt("gpt2.attention.head_count")).isEqualTo(2);
            assertThat(m.getFloat("gpt2.attention.layer_norm_epsilon")).isEqualTo(1e-5f);
            assertThat(m.getInt("general.file_type")).isZero();
        }
    }

    @Test
    void halfPrecisionKeepsVectorsAndPositionsInF32() {
        Path file = export(folder, DType.F16, "f16.gguf");
        try (Gguf gguf = Gguf.open(file)) {
            for (Tensor t : gguf.tensors()) {
                DType expected = t.rank() == 1 || t.name().equals("position_embd.weight") ? DType.F32 : DType.F16;
                assertThat(t.dtype()).as(t.name()).isEqualTo(expected);
            }
            assertThat(gguf.metadata().getInt("general.file_type")).isEqualTo(1);
            assertThat(gguf.metadata().contains("general.quantization_version")).isFalse();
        }
    }

    @Test
    void quantizedMatricesDecodeCloseToTheOriginals() {
        Path f32 = export(folder, DType.F32, "q-source.gguf");
        Path q8 = dir.resolve("q8.gguf");
        GgufExport.Summary summary;
        try (GgufExport export = GgufExport.open(f32)) {
            summary = export.write(q8, QuantizationMix.of(FileType.Q8_0), QUIET);
        }
        assertThat(summary.fallbacks()).isEmpty();
        assertThat(summary.bytesAfter()).isLessThan(summary.bytesBefore() / 3);
        try (Gguf original = Gguf.open(f32); Gguf quantized = Gguf.open(q8)) {
            assertThat(quantized.metadata().getInt("general.file_type")).isEqualTo(7);
            assertThat(quantized.metadata().getInt("general.quantization_version")).isEqualTo(2);
            assertThat(quantized.metadata().getStringArray("tokenizer.ggml.merges"))
                    .isEqualTo(original.metadata().getStringArray("tokenizer.ggml.merges"));
            for (Tensor t : quantized.tensors()) {
                boolean matrix = t.rank() == 2 && !t.name().equals("position_embd.weight");
                assertThat(t.dtype()).as(t.name()).isEqualTo(matrix ? DType.Q8_0 : DType.F32);
                assertClose(original.require(t.name()), t, 32, 127);
            }
        }
    }

    @Test
    void rowsThatAreNotWholeBlocksFallBackAsLlamaQuantizeDoes() {
        Path file = dir.resolve("q4k.gguf");
        GgufExport.Summary summary;
        try (GgufExport export = GgufExport.open(folder)) {
            summary = export.write(file, QuantizationMix.pure(DType.Q4_K), QUIET);
        }
        // rows of 64 values are not 256-value super-blocks: Q5_0 instead; ffn_down's rows of 256 are
        assertThat(summary.fallbacks()).extracting(GgufExport.Planned::name)
                .contains("token_embd.weight", "blk.0.attn_qkv.weight").doesNotContain("blk.0.ffn_down.weight");
        try (Gguf gguf = Gguf.open(file)) {
            assertThat(gguf.require("blk.0.ffn_down.weight").dtype()).isEqualTo(DType.Q4_K);
            assertThat(gguf.require("blk.0.ffn_up.weight").dtype()).isEqualTo(DType.Q5_0);
            assertThat(gguf.metadata().getInt("general.file_type")).isEqualTo(14);
        }
    }

    @Test
    void requantizingStoriesKeepsItsMetadataAndFallsBackOnOddRows() {
        Path source = SharedData.require("models/stories260K.gguf");
        Path file = export(source, DType.Q8_0, "stories-q8.gguf");
        try (Gguf original = Gguf.open(source); Gguf quantized = Gguf.open(file)) {
            assertThat(quantized.metadata().getStringArray("tokenizer.ggml.tokens"))
                    .isEqualTo(original.metadata().getStringArray("tokenizer.ggml.tokens"));
            assertThat(quantized.names()).containsExactlyElementsOf(original.names());
            assertThat(quantized.require("blk.0.attn_q.weight").dtype()).isEqualTo(DType.Q8_0);
            assertThat(quantized.require("blk.0.ffn_down.weight").dtype()).isEqualTo(DType.F16); // rows of 172
            assertThat(quantized.require("blk.0.ffn_norm.weight").dtype()).isEqualTo(DType.F32);
            for (Tensor t : quantized.tensors()) {
                assertClose(original.require(t.name()), t, 32, t.dtype() == DType.F16 ? 1000 : 127);
            }
        }
    }

    @Test
    void anUntiedHeadBecomesTheOutputTensor() {
        Path untied = dir.resolve("untied");
        float[] head = new float[50257 * 64];
        Random random = new Random(9);
        for (int i = 0; i < head.length; i++) {
            head[i] = (float) random.nextGaussian();
        }
        try (SafeTensors st = SafeTensors.open(folder.resolve(ModelFiles.WEIGHTS))) {
            List<SafeTensorsWriter.Entry> entries = new ArrayList<>();
            st.names().forEach(n -> entries.add(SafeTensorsWriter.Entry.of(st.require(n), DType.F32)));
            entries.add(SafeTensorsWriter.Entry.of("lm_head.weight", DType.F32, new long[] {50257, 64}, head));
            SafeTensorsWriter.write(untied.resolve(ModelFiles.WEIGHTS), entries, Map.of());
        }
        copy(folder, untied, ModelFiles.CONFIG, "tokenizer.json");
        try (Gguf gguf = Gguf.open(export(untied, DType.F32, "untied.gguf"))) {
            assertThat(gguf.require("output.weight").toFloatArray()).isEqualTo(head);
        }
    }

    @Test
    void tokenizersGgufCannotHoldAreRefused() throws IOException {
        Path chars = dir.resolve("chars");
        copy(folder, chars, ModelFiles.CONFIG, ModelFiles.WEIGHTS);
        TokenizerJson.write(CharTokenizer.fromCorpus("hello"), chars.resolve("tokenizer.json"));
        assertThatThrownBy(() -> GgufExport.open(chars)).isInstanceOf(FormatException.class)
                .hasMessageContaining("byte-level BPE");
        Path small = dir.resolve("small");
        RandomModel.write(ModelConfig.gpt2(1, 2, 64, 32, 1000), DType.F32, 1, small);
        copy(folder, small, "tokenizer.json");
        assertThatThrownBy(() -> GgufExport.open(small)).isInstanceOf(FormatException.class)
                .hasMessageContaining("50257 tokens, more than vocab_size 1000");
    }

    /**
     * Each block of {@code block} values decodes within half a quantization step ({@code max / levels})
     * of the original, plus what rounding the step itself to f16 costs at the largest level (127 · 2⁻¹¹ steps).
     */
    private static void assertClose(Tensor original, Tensor converted, int block, int levels) {
        float[] a = original.toFloatArray();
        float[] b = converted.toFloatArray();
        assertThat(b).hasSameSizeAs(a);
        for (int start = 0; start < a.length; start += block) {
            float max = 0;
            for (int i = start; i < Math.min(a.length, start + block); i++) {
                max = Math.max(max, Math.abs(a[i]));
            }
            float tolerance = max / levels * (0.5f + 127f / 2048) + 1e-7f;
            for (int i = start; i < Math.min(a.length, start + block); i++) {
                if (Math.abs(a[i] - b[i]) > tolerance) {
                    fail("%s[%d] is %s as %s, %s originally: off by more than %s", original.name(), i, b[i],
                            converted.dtype(), a[i], tolerance);
                }
            }
        }
    }

    private static void copy(Path from, Path to, String... names) {
        try {
            Files.createDirectories(to);
            for (String name : names) {
                Files.copy(from.resolve(name), to.resolve(name));
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
