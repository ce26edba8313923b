package dev.jgpt.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jgpt.model.ModelConfig;
import dev.jgpt.model.load.HfTensors;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The backward against finite differences of the forward, for every parameter tensor of a tiny
 * random model of each architecture (GPT-2: LayerNorm, GELU, learned positions; Llama: RMSNorm,
 * RoPE, SwiGLU, grouped-query attention, an untied unembedding; Qwen2: q/k/v biases, one
 * key/value head, tied; Granite: the four multipliers; Phi-3: a sliding window, a scaled rotation). The loss is float32 (≈ 1e-7 relative noise), so the differences use a large step
 * h = 1e-2 with the five-point formula (truncation O(h⁴)), on the coordinates where the gradient
 * is largest (where a wrong gradient shows) plus a few random ones; tolerance 1% of the gradient
 * plus 1e-4. A gradient off by 5% fails.
 */
class FiniteDifferenceTest {
    private static final double H = 1e-2;
    private static final double RELATIVE = 1e-2;
    private static final double ABSOLUTE = 1e-4;

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
            TrainingModel model = new TrainingModel(parameters);
            model.step(inputs, targets, batch, seq);
            float[] gradients = model.gradients().clone();
            MemorySegment data = parameters.data();
            SplittableRandom random = new SplittableRandom(5);
            List<String> failures = new ArrayList<>();
            double worst = 0;
            for (HfTensors.Spec spec : parameters.specs()) {
                int offset = parameters.offset(spec.name());
                int count = (int) parameters.tensor(spec.name()).elementCount();
                List<Integer> picks = new ArrayList<>(IntStream.range(0, count).boxed()
                        .sorted(Comparator.comparingDouble(i -> -Math.abs(gradients[offset + i]))).limit(3).toList());
                for (int r = 0; r < 2; r++) {
                    picks.add(random.nextInt(count));
                }
                for (int i : picks) {
                    long at = offset + i;
                    float original = data.getAtIndex(ValueLayout.JAVA_FLOAT, at);
                    double[] f = new double[4];
                    double[] shifts = {-2 * H, -H, H, 2 * H};
                    for (int s = 0; s < 4; s++) {
                        data.setAtIndex(ValueLayout.JAVA_FLOAT, at, (float) (original + shifts[s]));
                        f[s] = model.loss(inputs, targets, batch, seq);
                    }
                    data.setAtIndex(ValueLayout.JAVA_FLOAT, at, original);
                    double numeric = (f[0] - 8 * f[1] + 8 * f[2] - f[3]) / (12 * H);
                    double analytic = gradients[offset + i];
                    worst = Math.max(worst, Math.abs(numeric - analytic) / (RELATIVE * Math.abs(analytic) + ABSOLUTE));
                    if (Math.abs(numeric - analytic) > RELATIVE * Math.abs(analytic) + ABSOLUTE) {
                        failures.add(String.format("%s[%d]: backward %.6g, finite difference %.6g", spec.name(), i, analytic, numeric));
                    }
                }
            }
            System.out.println(architecture + ": worst error / tolerance: " + worst);
            assertThat(failures).isEmpty();
        }
    }
}
