package dev.jgpt.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jgpt.format.FormatException;
import dev.jgpt.format.SafeTensors;
import dev.jgpt.format.SafeTensorsWriter;
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
import org.junit.jupiter.api.io.TempDir;

/** Loading GPT-2 checkpoints: the layouts found on the hub, and clear errors for broken ones. */
class ModelFilesTest {
    private static final ModelConfig CONFIG = ModelConfig.gpt2(2, 2, 16, 32, 64);

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
