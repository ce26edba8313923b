package dev.jgpt.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.jgpt.model.ModelConfig;
import dev.jgpt.model.load.HfTensors;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdamWTest {
    private final ModelConfig config = TestModels.tiny();
    private final AdamWSettings settings = new AdamWSettings(0.9f, 0.95f, 1e-8f, 0.1f);

    @Test
    void savedAndLoadedStateGivesABitIdenticalNextStep(@TempDir Path dir) {
        int[] inputs = TestModels.tokens(16, 13, 1);
        int[] targets = TestModels.tokens(16, 13, 2);
        try (Parameters first = TestModels.sharp(config, 9, 0.2)) {
            TrainingModel model = new TrainingModel(first);
            AdamW optimizer = new AdamW(first, settings);
            for (int step = 0; step < 3; step++) {
                model.zeroGradients();
                model.step(inputs, targets, 2, 8);
                optimizer.step(model.gradients(), 1e-3f);
            }
            optimizer.save(dir.resolve("optimizer.safetensors"));
            first.save(dir.resolve("model"));
            model.zeroGradients();
            model.step(inputs, targets, 2, 8);
            float[] gradients = model.gradients().clone();

            try (Parameters second = Parameters.load(dir.resolve("model"))) {
                AdamW resumed = new AdamW(second, settings);
                resumed.load(dir.resolve("optimizer.safetensors"));
                assertThat(resumed.steps()).isEqualTo(3);
                optimizer.step(gradients, 1e-3f);
                resumed.step(gradients, 1e-3f);
                assertThat(second.data().toArray(ValueLayout.JAVA_FLOAT)).containsExactly(first.data().toArray(ValueLayout.JAVA_FLOAT));
            }
        }
    }

    @Test
    void weightDecayShrinksOnlyMatricesAndEmbeddings() {
        try (Parameters p = TestModels.sharp(config, 4, 0.2)) {
            float[] before = p.data().toArray(ValueLayout.JAVA_FLOAT);
            AdamW optimizer = new AdamW(p, new AdamWSettings(0.9f, 0.95f, 1e-8f, 0.5f));
            optimizer.step(new float[p.count()], 0.1f); // zero gradients: only the decay acts
            float[] after = p.data().toArray(ValueLayout.JAVA_FLOAT);
            for (HfTensors.Spec spec : p.specs()) {
                int offset = p.offset(spec.name());
                float factor = spec.shape().length >= 2 ? 1 - 0.1f * 0.5f : 1f;
                for (int i = 0; i < p.tensor(spec.name()).elementCount(); i++) {
                    assertThat(after[offset + i]).as(spec.name()).isEqualTo(before[offset + i] * factor);
                }
            }
        }
    }

    @Test
    void firstStepMovesEachParameterByTheLearningRateAgainstItsGradientSign() {
        try (Parameters p = TestModels.sharp(config, 4, 0.2)) {
            float[] before = p.data().toArray(ValueLayout.JAVA_FLOAT);
            float[] gradients = new float[p.count()];
            for (int i = 0; i < gradients.length; i++) {
                gradients[i] = (i % 3 - 1) * (1 + i % 7) * 1e-3f;
            }
            new AdamW(p, new AdamWSettings(0.9f, 0.95f, 1e-8f, 0f)).step(gradients, 0.01f);
            float[] after = p.data().toArray(ValueLayout.JAVA_FLOAT);
            for (int i = 0; i < gradients.length; i++) {
                // m̂ = g, v̂ = g²: the step is lr·g/(|g| + eps)
                assertThat(after[i] - before[i]).isCloseTo(-0.01f * Math.signum(gradients[i]), within(1e-6f));
            }
        }
    }

    @Test
    void refusesTheStateOfAnotherShapeAndKeepsItsOwn(@TempDir Path dir) {
        try (Parameters small = Parameters.random(config, 1);
             Parameters wide = Parameters.random(ModelConfig.gpt2(2, 2, 12, 16, 13), 1)) {
            AdamW other = new AdamW(wide, settings);
            other.step(new float[wide.count()], 1e-3f);
            other.save(dir.resolve("wide.safetensors"));
            AdamW optimizer = new AdamW(small, settings);
            float[] g = new float[small.count()];
            Arrays.fill(g, 0.25f);
            optimizer.step(g, 1e-3f);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> optimizer.load(dir.resolve("wide.safetensors")))
                    .isInstanceOf(dev.jgpt.format.FormatException.class).hasMessageContaining("wte.weight");
            assertThat(optimizer.steps()).isEqualTo(1);
        }
    }

    @Test
    void resetForgetsTheMoments() {
        try (Parameters p = Parameters.random(config, 1)) {
            AdamW optimizer = new AdamW(p, settings);
            float[] g = new float[p.count()];
            Arrays.fill(g, 0.5f);
            optimizer.step(g, 1e-3f);
            optimizer.reset();
            assertThat(optimizer.steps()).isZero();
        }
    }
}
