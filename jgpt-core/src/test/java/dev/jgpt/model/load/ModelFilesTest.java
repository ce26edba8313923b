package dev.jgpt.model.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jgpt.FreshJvm;
import dev.jgpt.convert.RandomModel;
import dev.jgpt.format.FormatException;
import dev.jgpt.format.SafeTensors;
import dev.jgpt.format.SafeTensorsWriter;
import dev.jgpt.model.Architecture;
import dev.jgpt.model.ModelConfig;
import dev.jgpt.model.Rope;
import dev.jgpt.model.Transformer;
import dev.jgpt.tensor.DType;
import dev.jgpt.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Loading GPT-2 checkpoints: the layouts found on the hub, and clear errors for broken ones. */
class ModelFilesTest {
    private static final ModelConfig CONFIG = ModelConfig.gpt2(2, 2, 16, 32, 64);
    static final ModelConfig LLAMA = new ModelConfig(Architecture.llama(Rope.of(Rope.Style.NORM, 8, 10000)), 2, 4, 2,
            32, 64, 32, 64, 1e-5f, false);

    @TempDir
    Path dir;

    @Test
    void aRandomModelLoadsAndItsDtypeIsKept() {
        for (DType dtype : List.of(DType.F32, DType.F16, DType.BF16)) {
            Path model = dir.resolve(dtype.name());
            RandomModel.write(CONFIG, dtype, 5, model);
            try (ModelFiles files = ModelFiles.open(model)) {
                assertThat(files.config()).isEqualTo(CONFIG);
                assertThat(files.transformer().weights().layers().get(1).mlpUp().weight().dtype()).isEqualTo(dtype);
            }
        }
    }

    @Test
    void hubExtrasAreAcceptedPrefixMaskBuffersAndLmHead() {
        Path model = rewrite(dir.resolve("hub"), entries -> {
            List<SafeTensorsWriter.Entry> out = new ArrayList<>();
            for (SafeTensorsWriter.Entry e : entries) {
                out.add(rename(e, "transformer." + e.name()));
                if (e.name().equals("wte.weight")) {
                    out.add(rename(e, "lm_head.weight"));
                }
            }
            for (int i = 0; i < CONFIG.layers(); i++) {
                out.add(SafeTensorsWriter.Entry.of("transformer.h." + i + ".attn.bias", DType.F32, new long[] {1, 1, 32, 32}, new float[32 * 32]));
                out.add(SafeTensorsWriter.Entry.of("transformer.h." + i + ".attn.masked_bias", DType.F32, new long[] {}, new float[] {-1e4f}));
            }
            return out;
        });
        try (ModelFiles files = ModelFiles.open(model)) {
            assertThat(files.transformer().weights().unembedding().name()).isEqualTo("lm_head.weight");
        }
    }

    @Test
    void aMissingTensorIsNamed() {
        Path model = rewrite(dir.resolve("missing"), entries -> entries.stream().filter(e -> !e.name().equals("h.1.mlp.c_fc.bias")).toList());
        assertThatThrownBy(() -> ModelFiles.open(model)).isInstanceOf(FormatException.class)
                .hasMessageContaining("model.safetensors").hasMessageContaining("missing tensor 'h.1.mlp.c_fc.bias'");
    }

    @Test
    void aWrongShapeIsNamedWithWhatWasExpected() throws IOException {
        Path model = dir.resolve("shape");
        RandomModel.write(CONFIG, DType.F32, 5, model);
        HfConfig.write(ModelConfig.gpt2(2, 2, 16, 32, 65), model.resolve("config.json"));
        assertThatThrownBy(() -> ModelFiles.open(model)).isInstanceOf(FormatException.class)
                .hasMessageContaining("'wte.weight' has shape [64, 16], expected [65, 16]");
    }

    @Test
    void configProblemsNameTheField() throws IOException {
        Path model = dir.resolve("config");
        RandomModel.write(CONFIG, DType.F32, 5, model);
        Files.writeString(model.resolve("config.json"), "{\"model_type\": \"gpt2\", \"n_layer\": 2, \"n_head\": 2}");
        assertThatThrownBy(() -> ModelFiles.open(model)).hasMessageContaining("config.json").hasMessageContaining("'n_embd' is missing");
        Files.writeString(model.resolve("config.json"), "{\"model_type\": \"bert\"}");
        assertThatThrownBy(() -> ModelFiles.open(model)).hasMessageContaining("model_type 'bert' is not supported");
        Files.writeString(model.resolve("config.json"), "{\"n_layer\": 2, \"n_head\": 3, \"n_embd\": 16, \"n_positions\": 32, \"vocab_size\": 64}");
        assertThatThrownBy(() -> ModelFiles.open(model)).hasMessageContaining("multiple of n_head");
        assertThatThrownBy(() -> ModelFiles.open(dir.resolve("absent"))).hasMessageContaining("no such model folder");
    }

    @Test
    @Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void configNumbersAreCheckedAgainstTheWeightsBeforeAnythingIsBuiltPerLayer() throws IOException {
        Path model = dir.resolve("numbers");
        RandomModel.write(CONFIG, DType.F32, 5, model);
        for (int layers : new int[] {1_000_000_000, 1_000_000, 3}) {
            assertThatThrownBy(() -> openWithConfig(model, "n_layer", layers)).isInstanceOf(FormatException.class)
                    .hasMessageContaining("model.safetensors")
                    .hasMessageContaining("n_layer in config.json is " + layers + " but the file holds the tensors of 2 layers");
        }
        assertThatThrownBy(() -> openWithConfig(model, "n_embd", 1_000_000_000)).isInstanceOf(FormatException.class)
                .hasMessageContaining("n_embd (1000000000) is too large").hasMessageNotContaining("-294967296");
        assertThatThrownBy(() -> openWithConfig(model, "vocab_size", 1_000_000_000)).isInstanceOf(FormatException.class)
                .hasMessageContaining("'wte.weight' has shape [64, 16], expected [1000000000, 16]");
        assertThatThrownBy(() -> openWithConfig(model, "n_positions", 1_000_000_000)).isInstanceOf(FormatException.class)
                .hasMessageContaining("'wpe.weight' has shape [32, 16], expected [1000000000, 16]");
        assertThatThrownBy(() -> openWithConfig(model, "n_inner", Integer.MAX_VALUE)).isInstanceOf(FormatException.class)
                .hasMessageContaining("'h.0.mlp.c_fc.weight' has shape [16, 64], expected [16, 2147483647]");
        assertThatThrownBy(() -> openWithConfig(model, "n_head", 1_000_000_000)).isInstanceOf(FormatException.class)
                .hasMessageContaining("n_embd (16) must be a positive multiple of n_head (1000000000)");
    }

    @Test
    void aModelFileTruncatedWhileInUseIsAnErrorNamingIt() {
        Path gguf = dir.resolve("model.gguf");
        RandomModel.gguf(LLAMA, DType.F32, 3).write(gguf);
        Path folder = dir.resolve("folder");
        RandomModel.write(CONFIG, DType.F32, 5, folder);
        for (Path model : List.of(gguf, folder)) {
            Path file = model == folder ? folder.resolve(ModelFiles.WEIGHTS) : gguf;
            try (ModelFiles files = ModelFiles.open(model)) {
                Transformer transformer = files.transformer();
                int[] tokens = {1, 2, 3};
                transformer.forward(tokens, 0, 3, transformer.newCache());
                TruncatedMidForward.truncate(file);
                assertThatThrownBy(() -> transformer.forward(tokens, 0, 3, transformer.newCache()))
                        .isInstanceOf(FormatException.class).hasMessageStartingWith(file.toString())
                        .hasMessageContaining("the model file changed or was truncated while in use");
                assertThatThrownBy(() -> transformer.forwardAll(tokens, 0, 3, transformer.newCache(), (row, logits, offset) -> { }))
                        .isInstanceOf(FormatException.class).hasMessageContaining("truncated while in use");
            }
        }
    }

    @Test
    void aModelFileTruncatedDuringAForwardPassIsAnErrorNamingIt() throws IOException, InterruptedException {
        Path file = dir.resolve("mid.gguf");
        // interpreted: compiled vector loads that fault on the cut mapping end the JVM instead of throwing
        String last = FreshJvm.lastLine(List.of("-Xint"), TruncatedMidForward.class, file.toString());
        assertThat(last).endsWith(file + ": the model file changed or was truncated while in use (open it again)");
    }

    /** Opens {@code model} after setting {@code field} of its config.json to {@code value}. */
    private static void openWithConfig(Path model, String field, int value) throws IOException {
        Path config = model.resolve(ModelFiles.CONFIG);
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = (ObjectNode) json.readTree(config.toFile());
        JsonNode old = root.get(field);
        root.put(field, value);
        Files.writeString(config, json.writeValueAsString(root));
        try {
            ModelFiles.open(model).close();
        } finally {
            if (old == null) {
                root.remove(field);
            } else {
                root.set(field, old);
            }
            Files.writeString(config, json.writeValueAsString(root));
        }
    }

    /** A copy of a random model whose tensor list went through {@code edit}. */
    private Path rewrite(Path target, UnaryOperator<List<SafeTensorsWriter.Entry>> edit) {
        Path source = dir.resolve("source-" + target.getFileName());
        RandomModel.write(CONFIG, DType.F32, 5, source);
        try (SafeTensors st = SafeTensors.open(source.resolve(ModelFiles.WEIGHTS))) {
            List<SafeTensorsWriter.Entry> entries = new ArrayList<>();
            for (String name : st.names()) {
                Tensor t = st.require(name);
                entries.add(SafeTensorsWriter.Entry.of(name, t.dtype(), t.shape(), t.toFloatArray()));
            }
            SafeTensorsWriter.write(target.resolve(ModelFiles.WEIGHTS), edit.apply(entries), Map.of());
        }
        HfConfig.write(CONFIG, target.resolve(ModelFiles.CONFIG));
        return target;
    }

    private static SafeTensorsWriter.Entry rename(SafeTensorsWriter.Entry e, String name) {
        return new SafeTensorsWriter.Entry(name, e.dtype(), e.shape(), e.fill());
    }
}
