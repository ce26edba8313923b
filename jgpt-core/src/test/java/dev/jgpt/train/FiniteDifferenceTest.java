package dev.jgpt.train;

import dev.jgpt.model.ModelConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The backward against finite differences of the forward ({@link FiniteDifferences}), for every
 * parameter tensor of a tiny random model of each architecture (GPT-2: LayerNorm, GELU, learned
 * positions; Llama: RMSNorm, RoPE, SwiGLU, grouped-query attention, an untied unembedding; Qwen2:
 * q/k/v biases, one key/value head, tied; Granite: the four multipliers; Phi-3: a sliding window, a
 * scaled rotation).
 */
class FiniteDifferenceTest {

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama", "qwen2", "granite", "phi3"})
    void everyGradientMatchesFiniteDifferencesOfTheLoss(String architecture) {
        ModelConfig config = TestModels.tiny(architecture);
        int batch = 2;
        int seq = 7;
        int[] tokens = TestModels.tokens(batch * seq + 1, config.vocabSize(), 3);
        int[] inputs = java.util.Arrays.copyOfRange(tokens, 0, batch * seq);
        int[] targets = java.util.Arrays.copyOfRange(tokens, 1, batch * seq + 1);
        try (Parameters parameters = TestModels.sharp(config, 11, 0.3)) {
            FiniteDifferences.check(architecture, new TrainingModel(parameters), parameters, inputs, targets, batch, seq);
        }
    }
}
