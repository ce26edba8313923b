package dev.jgpt.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.jgpt.JgptException;
import dev.jgpt.model.ModelConfig;
import dev.jgpt.model.Transformer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TrainingModelTest {
    private final ModelConfig config = TestModels.tiny();

    @Test
    void trainingLossEqualsTheLossOfTheInferenceTransformersLogits() {
        int batch = 3;
        int seq = 11;
        int[] inputs = TestModels.tokens(batch * seq, config.vocabSize(), 1);
        int[] targets = TestModels.tokens(batch * seq, config.vocabSize(), 2);
        try (Parameters parameters = TestModels.sharp(config, 7, 0.3)) {
            Transformer transformer = new Transformer(parameters.modelWeights());
            double sum = 0;
            for (int b = 0; b < batch; b++) {
                int row0 = b * seq;
                double[] rowLoss = new double[seq];
                transformer.forwardAll(inputs, row0, row0 + seq, transformer.newCache(), (row, logits, offset) ->
                        rowLoss[row] = crossEntropy(logits, offset, config.vocabSize(), targets[row0 + row]));
                sum += Arrays.stream(rowLoss).sum();
            }
            double expected = sum / (batch * seq);

            TrainingModel model = new TrainingModel(parameters);
            assertThat((double) model.loss(inputs, targets, batch, seq)).isCloseTo(expected, within(2e-6));
            assertThat((double) model.step(inputs, targets, batch, seq)).isCloseTo(expected, within(2e-6));
        }
    }

    @Test
    void lossDoesNotTouchTheGradients() {
        try (Parameters parameters = TestModels.sharp(config, 7, 0.3)) {
            TrainingModel model = new TrainingModel(parameters);
            model.loss(TestModels.tokens(8, 13, 1), TestModels.tokens(8, 13, 2), 2, 4);
            assertThat(model.gradients()).containsOnly(0f);
        }
    }

    @Test
    void twoHalfBatchesAccumulatedEqualOneFullBatch() {
        int batch = 4;
        int seq = 9;
        int half = batch / 2 * seq;
        int[] inputs = TestModels.tokens(batch * seq, config.vocabSize(), 3);
        int[] targets = TestModels.tokens(batch * seq, config.vocabSize(), 4);
        try (Parameters parameters = TestModels.sharp(config, 5, 0.3)) {
            TrainingModel model = new TrainingModel(parameters);
            float full = model.step(inputs, targets, batch, seq);
            float[] fullGradients = model.gradients().clone();

            model.zeroGradients();
            float first = model.step(Arrays.copyOfRange(inputs, 0, half), Arrays.copyOfRange(targets, 0, half), batch / 2, seq, 0.5f);
            float second = model.step(Arrays.copyOfRange(inputs, half, 2 * half), Arrays.copyOfRange(targets, half, 2 * half),
                    batch / 2, seq, 0.5f);

            assertThat((first + second) / 2.0).isCloseTo(full, within(1e-6));
            float[] accumulated = model.gradients();
            for (int i = 0; i < fullGradients.length; i++) {
                assertThat(accumulated[i]).as("gradient %d", i)
                        .isCloseTo(fullGradients[i], within(1e-6f + 1e-5f * Math.abs(fullGradients[i])));
            }
        }
    }

    @Test
    void aSmallerBatchAfterALargerOneGivesTheSameResultAsAlone() {
        int[] inputs = TestModels.tokens(6, 13, 1);
        int[] targets = TestModels.tokens(6, 13, 2);
        try (Parameters parameters = TestModels.sharp(config, 5, 0.3)) {
            TrainingModel fresh = new TrainingModel(parameters);
            float alone = fresh.step(inputs, targets, 2, 3);
            TrainingModel reused = new TrainingModel(parameters);
            reused.step(TestModels.tokens(64, 13, 3), TestModels.tokens(64, 13, 4), 4, 16);
            reused.zeroGradients();
            assertThat(reused.step(inputs, targets, 2, 3)).isEqualTo(alone);
            assertThat(reused.gradients()).containsExactly(fresh.gradients());
        }
    }

    @Test
    void rejectsBatchesThatDoNotFit() {
        try (Parameters parameters = Parameters.random(config, 1)) {
            TrainingModel model = new TrainingModel(parameters);
            int[] ok = new int[34];
            assertThatThrownBy(() -> model.step(ok, ok, 2, 17)).isInstanceOf(JgptException.class).hasMessageContaining("1..16");
            assertThatThrownBy(() -> model.step(new int[5], ok, 2, 3)).isInstanceOf(JgptException.class).hasMessageContaining("needs 6");
            int[] bad = {1, 2, 13};
            assertThatThrownBy(() -> model.step(ok, bad, 1, 3)).isInstanceOf(JgptException.class).hasMessageContaining("13");
            assertThatThrownBy(() -> model.step(bad, ok, 1, 3)).isInstanceOf(JgptException.class).hasMessageContaining("13");
        }
    }

    static double crossEntropy(float[] logits, int offset, int vocab, int target) {
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < vocab; v++) {
            max = Math.max(max, logits[offset + v]);
        }
        double sum = 0;
        for (int v = 0; v < vocab; v++) {
            sum += Math.exp(logits[offset + v] - max);
        }
        return Math.log(sum) + max - logits[offset + target];
    }
}
