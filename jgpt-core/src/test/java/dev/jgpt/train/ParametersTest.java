package dev.jgpt.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jgpt.JgptException;
import dev.jgpt.SharedData;
import dev.jgpt.convert.RandomModel;
import dev.jgpt.format.SafeTensors;
import dev.jgpt.format.SafeTensorsWriter;
import dev.jgpt.model.ModelConfig;
import dev.jgpt.model.Transformer;
import dev.jgpt.model.load.HfTensors;
import dev.jgpt.model.load.HfConfig;
import dev.jgpt.model.load.ModelFiles;
import dev.jgpt.tensor.DType;
import dev.jgpt.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParametersTest {
    private final ModelConfig config = TestModels.tiny();

    @Test
    void randomInitIsRandomModelsInit(@TempDir Path dir) {
        RandomModel.write(config, DType.F32, 42, dir);
        try (Parameters random = Parameters.random(config, 42); Parameters written = Parameters.load(dir)) {
            assertThat(random.data().toArray(java.lang.foreign.ValueLayout.JAVA_FLOAT))
                    .containsExactly(written.data().toArray(java.lang.foreign.ValueLayout.JAVA_FLOAT));
            assertThat(random.tensor("h.1.ln_2.weight").toFloatArray()).containsOnly(1f);
            assertThat(random.tensor("h.0.attn.c_attn.bias").toFloatArray()).containsOnly(0f);
        }
    }

    @Test
    void layoutFollowsHfTensorsWithoutGaps() {
        try (Parameters p = Parameters.random(config, 1)) {
            assertThat(p.count()).isEqualTo(config.parameterCount());
            assertThat(p.offset("wte.weight")).isZero();
            assertThat(p.offset("wpe.weight")).isEqualTo(config.vocabSize() * config.embd());
            assertThat(p.offset("ln_f.bias")).isEqualTo(p.count() - config.embd());
            assertThat(p.specs()).extracting(HfTensors.Spec::name)
                    .containsExactlyElementsOf(HfTensors.of(config).stream().map(HfTensors.Spec::name).toList());
        }
    }

    @Test
    void savedModelLoadsInModelFilesAndComputesTheSameLogits(@TempDir Path dir) {
        int[] tokens = TestModels.tokens(9, config.vocabSize(), 3);
        try (Parameters p = TestModels.sharp(config, 3, 0.3)) {
            p.save(dir);
            Transformer live = new Transformer(p.modelWeights());
            float[] expected = live.forward(tokens, 0, tokens.length, live.newCache()).clone();
            try (ModelFiles files = ModelFiles.open(dir)) {
                assertThat(files.config()).isEqualTo(config);
                Transformer loaded = files.transformer();
                assertThat(loaded.forward(tokens, 0, tokens.length, loaded.newCache())).containsExactly(expected);
            }
            try (SafeTensors file = SafeTensors.open(dir.resolve(ModelFiles.WEIGHTS))) {
                assertThat(file.names()).hasSize(p.specs().size());
                assertThat(file.require("h.1.mlp.c_fc.weight").toFloatArray())
                        .containsExactly(p.tensor("h.1.mlp.c_fc.weight").toFloatArray());
            }
        }
    }

    @Test
    void modelWeightsViewSeesChangedMatrices() {
        try (Parameters p = Parameters.random(config, 1)) {
            var weights = p.modelWeights();
            p.data().setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, p.offset("h.0.mlp.c_fc.weight") + 5, 3.5f);
            assertThat(weights.layers().get(0).mlpUp().weight().get(0, 5)).isEqualTo(3.5f);
        }
    }

    @Test
    void loadsHalfPrecisionCheckpointsAsFloat32() {
        Path dir = SharedData.require("fixtures/tiny_bf16");
        try (Parameters p = Parameters.load(dir); SafeTensors file = SafeTensors.open(dir.resolve(ModelFiles.WEIGHTS))) {
            Tensor stored = file.require("h.1.attn.c_proj.weight");
            assertThat(stored.dtype()).isEqualTo(DType.BF16);
            assertThat(p.tensor("h.1.attn.c_proj.weight").toFloatArray()).containsExactly(stored.toFloatArray());
        }
    }

    @Test
    void loadsCheckpointsWithTheTransformerPrefix() {
        Path prefixed = SharedData.require("fixtures/tiny_prefixed");
        Path plain = SharedData.require("fixtures/tiny");
        try (SafeTensors source = SafeTensors.open(prefixed.resolve(ModelFiles.WEIGHTS));
             Parameters p = Parameters.load(source, HfConfig.read(prefixed.resolve(ModelFiles.CONFIG)));
             Parameters expected = Parameters.load(plain)) {
            assertThat(source.names()).anyMatch(n -> n.startsWith("transformer."));
            assertThat(p.data().toArray(java.lang.foreign.ValueLayout.JAVA_FLOAT))
                    .containsExactly(expected.data().toArray(java.lang.foreign.ValueLayout.JAVA_FLOAT));
        }
    }

    @Test
    void refusesAnUntiedUnembedding(@TempDir Path dir) {
        RandomModel.write(config, DType.F32, 1, dir);
        Path untied = dir.resolve("untied");
        try (SafeTensors source = SafeTensors.open(dir.resolve(ModelFiles.WEIGHTS))) {
            List<SafeTensorsWriter.Entry> entries = new ArrayList<>();
            for (String name : source.names()) {
                float[] values = source.require(name).toFloatArray();
                entries.add(SafeTensorsWriter.Entry.of(name, DType.F32, source.require(name).shape(), values));
            }
            float[] head = new float[config.vocabSize() * config.embd()];
            head[7] = 1f;
            entries.add(SafeTensorsWriter.Entry.of("lm_head.weight", DType.F32,
                    new long[] {config.vocabSize(), config.embd()}, head));
            SafeTensorsWriter.write(untied.resolve(ModelFiles.WEIGHTS), entries, Map.of());
        }
        HfConfig.write(config, untied.resolve(ModelFiles.CONFIG));
        assertThatThrownBy(() -> Parameters.load(untied)).isInstanceOf(JgptException.class).hasMessageContaining("tied");
    }
}
