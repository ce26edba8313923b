package dev.jgpt.cli;

import static dev.jgpt.cli.CliTest.jgpt;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jgpt.cli.CliTest.Run;
import dev.jgpt.format.Gguf;
import dev.jgpt.format.GgufMetadata;
import dev.jgpt.format.SafeTensors;
import dev.jgpt.tensor.DType;
import dev.jgpt.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** export-gguf and quantize as a user calls them, on a tiny model that make-model writes. */
class GgufCommandsTest {

    @TempDir
    static Path dir;

    static Path model;

    @BeforeAll
    static void makeModel() {
        model = dir.resolve("tiny");
        Run run = jgpt("make-model", "--preset", "tiny", "--out", model.toString(), "--seed", "3");
        assertThat(run.exit()).as(run.err()).isZero();
    }

    @Test
    void exportGgufWritesLlamaCppsGpt2Layout() throws IOException {
        Path out = dir.resolve("tiny.gguf");
        Run run = jgpt("export-gguf", model.toString(), out.toString(), "--json");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.err()).contains("[ 1/29] token_embd.weight", "[28/29] output_norm.bias", "[29/29] output.weight");
        JsonNode summary = run.json();
        assertThat(summary.get("tensors").asInt()).isEqualTo(29); // the tied embedding twice, as llama.cpp needs
        assertThat(summary.get("tensors_by_type").get("F32").asInt()).isEqualTo(29);
        assertThat(summary.get("file_bytes").asLong()).isEqualTo(Files.size(out));
        try (Gguf gguf = Gguf.open(out); SafeTensors hf = SafeTensors.open(model.resolve("model.safetensors"))) {
            GgufMetadata m = gguf.metadata();
            assertThat(m.architecture()).isEqualTo("gpt2");
            assertThat(m.getInt("gpt2.block_count")).isEqualTo(2);
            assertThat(m.getInt("gpt2.embedding_length")).isEqualTo(64);
            assertThat(m.getInt("gpt2.context_length")).isEqualTo(256);
            assertThat(m.getString("tokenizer.ggml.model")).isEqualTo("gpt2");
            assertThat(m.getStringArray("tokenizer.ggml.tokens")).hasSize(50257).contains("ĠHello");
            assertThat(m.getInt("tokenizer.ggml.eos_token_id")).isEqualTo(50256);
            // HF's Conv1D weight is [in, out]; GGUF's attn_qkv is [out, in]: value (i, o) moves to (o, i)
            Tensor conv = hf.require("h.1.attn.c_attn.weight");
            Tensor qkv = gguf.require("blk.1.attn_qkv.weight");
            assertThat(conv.shape()).containsExactly(64, 192);
            assertThat(qkv.shape()).containsExactly(192, 64);
            float[] a = conv.toFloatArray();
            float[] b = qkv.toFloatArray();
            for (int i = 0; i < 64; i++) {
                for (int o = 0; o < 192; o++) {
                    assertThat(b[o * 64 + i]).isEqualTo(a[i * 192 + o]);
                }
            }
            assertThat(gguf.require("token_embd.weight").toFloatArray()).isEqualTo(hf.require("wte.weight").toFloatArray());
            assertThat(gguf.require("output.weight").toFloatArray()).isEqualTo(gguf.require("token_embd.weight").toFloatArray());
        }
    }

    @Test
    void halfPrecisionExportKeepsVectorsInF32() throws IOException {
        Path out = dir.resolve("tiny-bf16.gguf");
        JsonNode summary = jgpt("export-gguf", model.toString(), out.toString(), "--dtype", "bf16", "--json").json();
        assertThat(summary.get("tensors_by_type").toString()).isEqualTo("{\"BF16\":10,\"F32\":19}");
        try (Gguf gguf = Gguf.open(out)) {
            assertThat(gguf.require("blk.0.ffn_up.weight").dtype()).isEqualTo(DType.BF16);
            assertThat(gguf.require("position_embd.weight").dtype()).isEqualTo(DType.F32);
            assertThat(gguf.metadata().getInt("general.file_type")).isEqualTo(32);
        }
    }

    @Test
    void quantizeFromAFolderAndFromGgufGivesTheSameBlocks() throws IOException {
        Path fromFolder = dir.resolve("q8-folder.gguf");
        Run run = jgpt("quantize", model.toString(), fromFolder.toString(), "--type", "q8_0");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("tensors   29: 19 F32, 10 Q8_0", "size      ");
        Path f32 = dir.resolve("q-source.gguf");
        assertThat(jgpt("export-gguf", model.toString(), f32.toString()).exit()).isZero();
        Path fromGguf = dir.resolve("q8-gguf.gguf");
        assertThat(jgpt("quantize", f32.toString(), fromGguf.toString(), "--type", "Q8_0").exit()).isZero();
        try (Gguf a = Gguf.open(fromFolder); Gguf b = Gguf.open(fromGguf); SafeTensors hf = SafeTensors.open(model.resolve("model.safetensors"))) {
            for (Tensor t : a.tensors()) {
                assertThat(t.data().mismatch(b.require(t.name()).data())).as(t.name()).isEqualTo(-1);
            }
            Tensor q = a.require("blk.0.ffn_down.weight"); // HF mlp.c_proj [256, 64], here [64, 256] in Q8_0
            assertThat(q.dtype()).isEqualTo(DType.Q8_0);
            float[] original = hf.require("h.0.mlp.c_proj.weight").toFloatArray();
            float[] decoded = q.toFloatArray();
            float max = 0;
            for (float v : original) {
                max = Math.max(max, Math.abs(v));
            }
            for (int i = 0; i < 256; i++) {
                for (int o = 0; o < 64; o++) {
                    assertThat(Math.abs(decoded[o * 256 + i] - original[i * 64 + o])).isLessThanOrEqualTo(max / 127 * 0.57f);
                }
            }
        }
    }

    @Test
    void quantizeNamesTheFallbacks() throws IOException {
        Path out = dir.resolve("q6k.gguf");
        Run run = jgpt("quantize", model.toString(), out.toString(), "--type", "q6_k", "--json");
        assertThat(run.exit()).as(run.err()).isZero();
        JsonNode summary = run.json();
        // rows of 64 values are not Q6_K's 256-value blocks: Q8_0, as llama-quantize falls back; ffn_down's rows of 256 are
        assertThat(summary.get("tensors_by_type").toString()).isEqualTo("{\"F32\":19,\"Q6_K\":2,\"Q8_0\":8}");
        assertThat(summary.get("fallbacks")).hasSize(8);
        assertThat(summary.get("fallbacks").get(0).toString())
                .isEqualTo("{\"name\":\"token_embd.weight\",\"type\":\"Q8_0\",\"wanted\":\"Q6_K\",\"row_length\":64}");
        assertThat(run.err()).contains("token_embd.weight", "F32 -> Q8_0 (rows of 64 are not whole Q6_K blocks)");
        assertThat(jgpt("quantize", model.toString(), out.toString(), "--type", "q6_k").out())
                .contains("fallbacks 8 tensors have rows that are not whole blocks of their type:",
                        "token_embd.weight (rows of 64) as Q8_0, not Q6_K");
    }

    @Test
    void kMixesGiveEachTensorLlamaQuantizesTypeAndTheFileGenerates() throws IOException {
        // a Llama whose matrices are 256 wide, so the K types fit (the SwiGLU's 684 does not: ffn_down falls back)
        Path llama = dir.resolve("llama-256.gguf");
        Run made = jgpt("make-model", "--preset", "llama-tiny", "--embd", "256", "--heads", "4", "--kv-heads", "2",
                "--out", llama.toString());
        assertThat(made.exit()).as(made.err()).isZero();
        Map<String, Map<String, DType>> expected = Map.of(
                "Q4_K_M", Map.of("output.weight", DType.Q6_K, "token_embd.weight", DType.Q4_K, "blk.0.attn_v.weight", DType.Q4_K, "blk.1.attn_v.weight", DType.Q6_K,
                        "blk.1.ffn_down.weight", DType.F16),
                "Q3_K_M", Map.of("output.weight", DType.Q6_K, "token_embd.weight", DType.Q3_K, "blk.0.attn_v.weight", DType.Q5_K, "blk.0.attn_output.weight", DType.Q4_K,
                        "blk.0.attn_q.weight", DType.Q3_K),
                "Q2_K", Map.of("output.weight", DType.Q6_K, "token_embd.weight", DType.Q2_K, "blk.0.attn_v.weight", DType.Q3_K, "blk.0.attn_output.weight", DType.Q3_K,
                        "blk.0.attn_q.weight", DType.Q2_K, "blk.0.ffn_up.weight", DType.Q2_K),
                "IQ4_XS", Map.of("output.weight", DType.Q6_K, "token_embd.weight", DType.IQ4_XS, "blk.0.attn_v.weight", DType.IQ4_XS,
                        "blk.1.attn_output.weight", DType.IQ4_XS, "blk.1.ffn_down.weight", DType.F16),
                "IQ4_NL", Map.of("output.weight", DType.Q6_K, "token_embd.weight", DType.IQ4_NL, "blk.0.attn_q.weight", DType.IQ4_NL));
        Map<String, Integer> fileTypes = Map.of("Q4_K_M", 15, "Q3_K_M", 12, "Q2_K", 10, "IQ4_XS", 30, "IQ4_NL", 25);
        for (String mix : List.of("Q4_K_M", "Q3_K_M", "Q2_K", "IQ4_XS", "IQ4_NL")) {
            Path out = dir.resolve("llama-" + mix + ".gguf");
            Run run = jgpt("quantize", llama.toString(), out.toString(), "--type", mix.toLowerCase(java.util.Locale.ROOT));
            assertThat(run.exit()).as(run.err()).isZero();
            try (Gguf gguf = Gguf.open(out)) {
                expected.get(mix).forEach((name, type) -> assertThat(gguf.require(name).dtype()).as("%s %s", mix, name).isEqualTo(type));
                assertThat(gguf.metadata().getInt("general.file_type")).as(mix).isEqualTo(fileTypes.get(mix));
            }
            JsonNode generated = jgpt("generate", "--model", out.toString(), "--json", "--temperature", "0", "-n", "6", "Once").json();
            assertThat(generated.get("tokens")).as(mix).hasSize(6);
        }
        assertThat(jgpt("info", "--model", dir.resolve("llama-IQ4_XS.gguf").toString()).out()).contains("IQ4_XS");
        Path pure = dir.resolve("llama-pure.gguf");
        assertThat(jgpt("quantize", llama.toString(), pure.toString(), "--type", "Q4_K_M", "--pure").exit()).isZero();
        try (Gguf gguf = Gguf.open(pure)) {
            assertThat(gguf.require("output.weight").dtype()).isEqualTo(DType.Q4_K);
            assertThat(gguf.require("blk.1.attn_v.weight").dtype()).isEqualTo(DType.Q4_K);
        }
    }

    @Test
    void badInputIsOneClearLine() throws IOException {
        Path out = dir.resolve("never.gguf");
        assertOneLineError(jgpt("quantize", dir.resolve("absent").toString(), out.toString(), "--type", "q4_0"), "no such file or folder");
        assertOneLineError(jgpt("export-gguf", model.toString(), out.toString(), "--dtype", "q4_0"), "use jgpt quantize");
        Path truncated = dir.resolve("truncated.gguf");
        Path whole = dir.resolve("whole.gguf");
        assertThat(jgpt("export-gguf", model.toString(), whole.toString()).exit()).isZero();
        byte[] bytes = Files.readAllBytes(whole);
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length / 2));
        assertOneLineError(jgpt("quantize", truncated.toString(), out.toString(), "--type", "q8_0"), "truncated");
        assertOneLineError(jgpt("export-gguf", truncated.toString(), out.toString()), "use jgpt quantize");
        Run badType = jgpt("quantize", model.toString(), out.toString(), "--type", "q7_k");
        assertThat(badType.exit()).isEqualTo(2);
        assertThat(badType.err()).contains("Q4_K_M", "q7_k").doesNotContain("Exception");
        assertThat(out).doesNotExist();
        assertThat(jgpt("quantize", "--help").out()).contains("--type", "llama-quantize");
        assertThat(jgpt("export-gguf", "--help").out()).contains("--dtype", "llama.cpp");
    }

    private static void assertOneLineError(Run run, String mentions) {
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err().strip().lines()).hasSize(1);
        assertThat(run.err()).startsWith("jgpt: ").contains(mentions).doesNotContain("Exception");
    }
}
