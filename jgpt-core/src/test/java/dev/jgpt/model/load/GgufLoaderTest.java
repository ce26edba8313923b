package dev.jgpt.model.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jgpt.SharedData;
import dev.jgpt.convert.GgufExport;
import dev.jgpt.convert.GgufModelWriter;
import dev.jgpt.convert.QuantizationMix;
import dev.jgpt.convert.RandomModel;
import dev.jgpt.format.FormatException;
import dev.jgpt.format.Gguf;
import dev.jgpt.format.GgufValue;
import dev.jgpt.format.GgufWriter;
import dev.jgpt.format.TensorConversion;
import dev.jgpt.format.SafeTensorsWriter.Entry;
import dev.jgpt.model.Architecture;
import dev.jgpt.model.Gpt2ConformanceTest;
import dev.jgpt.model.ModelConfig;
import dev.jgpt.model.ModelWeights;
import dev.jgpt.model.RandomModels;
import dev.jgpt.model.ReferenceForward;
import dev.jgpt.model.Rope;
import dev.jgpt.model.Transformer;
import dev.jgpt.tensor.DType;
import dev.jgpt.tokenizer.Gpt2Tokenizers;
import dev.jgpt.tokenizer.TokenizerJson;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Models read from GGUF files: every architecture, GPT-2 as from safetensors, quantized weights, bad files. */
class GgufLoaderTest {
    private static final ModelConfig LLAMA = new ModelConfig(Architecture.llama(Rope.of(Rope.Style.NORM, 8, 10000)), 2, 4, 2,
            64, 96, 32, 64, 1e-5f, false);

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.jgpt.model.ArchitecturesTest#models")
    void everyArchitectureReadsBackAsWritten(String name, ModelConfig config, boolean fused) {
        ModelWeights weights = new RandomModels(7).weights(config, fused);
        Path file = dir.resolve("model.gguf");
        GgufModelWriter.of(weights, DType.F32).write(file);
        int[] tokens = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5};
        try (ModelFiles model = ModelFiles.open(file)) {
            assertThat(model.config()).isEqualTo(config);
            long stored = model.tensors().names().stream().filter(n -> !n.equals("rope_freqs.weight"))
                    .mapToLong(n -> model.tensors().require(n).elementCount()).sum();
            assertThat(config.parameterCount()).as("parameters counted from the config").isEqualTo(stored);
            float[][] want = logits(new Transformer(weights), tokens);
            float[][] got = logits(model.transformer(), tokens);
            for (int t = 0; t < tokens.length; t++) {
                for (int v = 0; v < config.vocabSize(); v++) {
                    assertThat(got[t][v]).as("logits[%d][%d]", t, v).isCloseTo(want[t][v], within(1e-5f * (1 + Math.abs(want[t][v]))));
                }
            }
        }
    }

    @Test
    void gpt2FromGgufGivesPyTorchLogitsAsFromSafetensors() throws IOException {
        Path fixture = SharedData.require("fixtures/tiny");
        JsonNode expected = new ObjectMapper().readTree(fixture.resolve("logits.json").toFile());
        int[] tokens = Gpt2ConformanceTest.ints(expected.get("tokens"));
        Path file = dir.resolve("tiny.gguf");
        try (ModelFiles safetensors = ModelFiles.open(fixture)) {
            GgufModelWriter.of(safetensors.transformer().weights(), DType.F32).write(file);
            try (ModelFiles gguf = ModelFiles.open(file)) {
                assertThat(gguf.config()).isEqualTo(safetensors.config());
                float[][] fromGguf = logits(gguf.transformer(), tokens);
                float[][] fromSafetensors = logits(safetensors.transformer(), tokens);
                for (int t = 0; t < tokens.length; t++) {
                    JsonNode want = expected.get("logits").get(t);
                    for (int v = 0; v < want.size(); v++) {
                        assertThat(fromGguf[t][v]).as("logits[%d][%d]", t, v).isCloseTo((float) want.get(v).asDouble(), within(1e-5f))
                                .isCloseTo(fromSafetensors[t][v], within(2e-6f));
                    }
                }
            }
        }
    }

    @Test
    void jgptsOwnGgufExportOfAGpt2FolderRunsAsTheFolderDoes() throws IOException {
        Path folder = dir.resolve("gpt2");
        RandomModel.write(ModelConfig.gpt2(2, 2, 64, 32, 50257), DType.F32, 3, folder);
        try (InputStream ranks = GgufLoaderTest.class.getResourceAsStream("/com/knuddels/jtokkit/r50k_base.tiktoken")) {
            TokenizerJson.write(Gpt2Tokenizers.fromTiktokenResource(ranks), folder.resolve("tokenizer.json"));
        }
        int[] tokens = {15496, 11, 616, 1438, 318};
        for (DType type : List.of(DType.F32, DType.Q8_0)) {
            Path file = dir.resolve(type + ".gguf");
            try (GgufExport export = GgufExport.open(folder)) {
                export.write(file, QuantizationMix.pure(type), (i, n, e) -> {});
            }
            try (ModelFiles safetensors = ModelFiles.open(folder); ModelFiles gguf = ModelFiles.open(file)) {
                assertThat(gguf.config().architecture()).isEqualTo(Architecture.GPT2);
                float[] want = logits(safetensors.transformer(), tokens)[tokens.length - 1];
                float[] got = logits(gguf.transformer(), tokens)[tokens.length - 1];
                for (int v = 0; v < want.length; v++) {
                    // Q8_0 keeps about 8 bits of each weight
                    assertThat(got[v]).as("%s logits[%d]", type, v).isCloseTo(want[v], within(type == DType.F32 ? 2e-6f : 2e-2f));
                }
                // the tied embedding, written twice for llama.cpp: the file without its copy runs the same
                Path tied = dir.resolve(type + "-tied.gguf");
                try (Gguf exported = Gguf.open(file)) {
                    GgufWriter.write(tied, exported.metadata().asMap(), exported.tensors().stream()
                            .filter(t -> !t.name().equals("output.weight"))
                            .map(t -> TensorConversion.entry(t.name(), TensorConversion.Source.of(t), t.dtype())).toList());
                }
                try (ModelFiles withoutCopy = ModelFiles.open(tied)) {
                    assertThat(withoutCopy.config().tiedOutput()).isTrue();
                    assertThat(gguf.config().tiedOutput()).isFalse();
                    assertThat(Arrays.equals(logits(withoutCopy.transformer(), tokens)[tokens.length - 1], got)).as(type.name()).isTrue();
                }
            }
        }
    }

    @Test
    void quantizedWeightsRunWhereTheyLie() {
        ModelWeights weights = new RandomModels(8).weights(LLAMA, false);
        Path file = dir.resolve("q8.gguf");
        GgufModelWriter.of(weights, DType.Q8_0).write(file);
        int[] tokens = {1, 7, 30, 2, 63, 8, 8, 11};
        try (ModelFiles model = ModelFiles.open(file)) {
            ModelWeights loaded = model.transformer().weights();
            assertThat(loaded.tokenEmbedding().dtype()).isEqualTo(DType.Q8_0);
            assertThat(loaded.layers().getFirst().query().weight().dtype()).isEqualTo(DType.Q8_0);
            // the reference reads the same blocks, dequantized value by value
            double[][] want = new ReferenceForward(loaded).logits(tokens);
            float[][] got = logits(model.transformer(), tokens);
            for (int t = 0; t < tokens.length; t++) {
                for (int v = 0; v < LLAMA.vocabSize(); v++) {
                    assertThat((double) got[t][v]).as("logits[%d][%d]", t, v).isCloseTo(want[t][v], within(1e-4 * (1 + Math.abs(want[t][v]))));
                }
            }
        }
    }

    @Test
    void anUnsupportedArchitectureListsTheSupportedOnes() {
        assertThatThrownBy(() -> open(c -> c.metadata().put("general.architecture", new GgufValue.StringValue("mamba"))))
                .isInstanceOf(FormatException.class).hasMessageContaining("bad.gguf")
                .hasMessageContaining("architecture 'mamba'").hasMessageContaining("supported: llama, qwen2, gpt2");
    }

    @Test
    void missingOrWrongMetadataIsNamed() {
        assertThatThrownBy(() -> open(c -> c.metadata().remove("llama.block_count")))
                .isInstanceOf(FormatException.class).hasMessageContaining("missing metadata key 'llama.block_count'");
        assertThatThrownBy(() -> open(c -> c.metadata().put("llama.attention.head_count_kv", GgufValue.u32(3))))
                .isInstanceOf(FormatException.class).hasMessageContaining("key/value head count (3) must divide the head count (4)");
        assertThatThrownBy(() -> open(c -> c.metadata().put("llama.embedding_length", GgufValue.u32(0))))
                .isInstanceOf(FormatException.class).hasMessageContaining("'llama.embedding_length' is 0");
        assertThatThrownBy(() -> open(c -> c.metadata().put("llama.rope.scaling.type", new GgufValue.StringValue("yarn"))))
                .isInstanceOf(FormatException.class).hasMessageContaining("'llama.rope.scaling.type' is 'yarn'");
        assertThatThrownBy(() -> open(c -> c.metadata().put("llama.rope.dimension_count", GgufValue.u32(32))))
                .isInstanceOf(FormatException.class).hasMessageContaining("rotary embedding of 32 dimensions in heads of 16");
    }

    @Test
    @Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void countsNoFileCouldBackFailAtOnceNamingTheKey() {
        for (long layers : new long[] {1_000_000_000, 3, 1}) {
            assertThatThrownBy(() -> open(c -> c.metadata().put("llama.block_count", GgufValue.u32(layers))))
                    .isInstanceOf(FormatException.class)
                    .hasMessageContaining("'llama.block_count' is " + layers + " but the file holds the tensors of 2 layers");
        }
        assertThatThrownBy(() -> open(c -> c.metadata().put("llama.attention.head_count", GgufValue.u32(0))))
                .isInstanceOf(FormatException.class).hasMessageContaining("'llama.attention.head_count' is 0, expected a positive number");
        assertThatThrownBy(() -> open(c -> c.metadata().put("llama.attention.head_count", GgufValue.u32(1_000_000_000))))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("'llama.attention.head_count' is 1000000000, which does not divide 'llama.embedding_length' (64)");
        assertThatThrownBy(() -> open(c -> c.metadata().put("llama.embedding_length", GgufValue.u32(1_000_000_000))))
                .isInstanceOf(FormatException.class).hasMessageContaining("expected [vocabulary, 1000000000]");
        assertThatThrownBy(() -> open(c -> c.metadata().put("llama.feed_forward_length", GgufValue.u32(1_000_000_000))))
                .isInstanceOf(FormatException.class).hasMessageContaining("expected [1000000000, 64]");
        assertThatThrownBy(() -> open(c -> c.metadata().put("llama.attention.key_length", GgufValue.u32((1 << 30) + 16))))
                .isInstanceOf(FormatException.class).hasMessageContaining("'llama.attention.key_length' is 1073741840");
        assertThatThrownBy(() -> open(c -> c.metadata().put("llama.rope.dimension_count", GgufValue.i32(-2))))
                .isInstanceOf(FormatException.class).hasMessageContaining("rotary embedding");
    }

    @Test
    void missingWrongOrExtraTensorsAreNamed() {
        assertThatThrownBy(() -> open(c -> c.remove("blk.1.ffn_gate.weight")))
                .isInstanceOf(FormatException.class).hasMessageContaining("missing tensor 'blk.1.ffn_gate.weight' for a llama model");
        assertThatThrownBy(() -> open(c -> {
            c.remove("blk.0.attn_k.weight");
            c.tensors().add(Entry.of("blk.0.attn_k.weight", DType.F32, new long[] {64, 64}, new float[64 * 64]));
        })).isInstanceOf(FormatException.class).hasMessageContaining("'blk.0.attn_k.weight' has shape [64, 64], expected [32, 64]");
        assertThatThrownBy(() -> open(c -> c.tensors().add(Entry.of("blk.0.attn_q.bias", DType.F32, new long[] {64}, new float[64]))))
                .isInstanceOf(FormatException.class).hasMessageContaining("unexpected tensor 'blk.0.attn_q.bias' for a llama model");
        assertThatThrownBy(() -> open(c -> c.metadata().put("llama.attention.layer_norm_rms_epsilon",
                new GgufValue.StringValue("small")))).isInstanceOf(FormatException.class)
                .hasMessageContaining("llama.attention.layer_norm_rms_epsilon");
    }

    @Test
    void aSafetensorsFileIsOpenedThroughItsFolder() {
        Path folder = dir.resolve("gpt2");
        RandomModel.write(ModelConfig.gpt2(1, 2, 8, 16, 20), DType.F32, 1, folder);
        assertThatThrownBy(() -> ModelFiles.open(folder.resolve(ModelFiles.WEIGHTS)))
                .isInstanceOf(FormatException.class).hasMessageContaining("opened through its folder");
    }

    /** Opens the llama test model written after {@code edit}. */
    private void open(Consumer<GgufModelWriter.Contents> edit) {
        Path file = dir.resolve("bad.gguf");
        GgufModelWriter.Contents contents = GgufModelWriter.of(new RandomModels(9).weights(LLAMA, false), DType.F32);
        edit.accept(contents);
        contents.write(file);
        ModelFiles.open(file).close();
    }

    private static float[][] logits(Transformer transformer, int[] tokens) {
        float[][] rows = new float[tokens.length][];
        transformer.forwardAll(tokens, 0, tokens.length, transformer.newCache(), (row, logits, offset) ->
                rows[row] = Arrays.copyOfRange(logits, offset, offset + transformer.config().vocabSize()));
        return rows;
    }
}
