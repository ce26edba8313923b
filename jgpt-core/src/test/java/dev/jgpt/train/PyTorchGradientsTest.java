package dev.jgpt.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.jgpt.SharedData;
import dev.jgpt.format.SafeTensors;
import dev.jgpt.model.load.HfTensors;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Loss and the gradient of every parameter against ../shared/fixtures (float64 PyTorch, rounded to float32). */
class PyTorchGradientsTest {
    /** The README's tolerances: loss within 1e-6, gradients within about 1e-6 absolute. */
    private static final double LOSS_TOLERANCE = 1e-6;
    private static final double GRADIENT_TOLERANCE = 1e-6;

    @ParameterizedTest
    @ValueSource(strings = {"tiny", "tiny_sharp"})
    void lossAndEveryGradientMatchPyTorch(String fixture) {
        Path dir = SharedData.require("fixtures/" + fixture);
        try (Parameters parameters = Parameters.load(dir);
             SafeTensors expected = SafeTensors.open(dir.resolve("loss_grad.safetensors"))) {
            int[] tokens = ints(expected.metadata().get("tokens"));
            int[] targets = ints(expected.metadata().get("targets"));
            TrainingModel model = new TrainingModel(parameters);

            float loss = model.step(tokens, targets, 1, tokens.length);

            assertThat((double) loss).as("loss").isCloseTo(Double.parseDouble(expected.metadata().get("loss")), within(LOSS_TOLERANCE));
            double worst = 0;
            for (HfTensors.Spec spec : parameters.specs()) {
                float[] want = expected.require("grad." + spec.name()).toFloatArray();
                int offset = parameters.offset(spec.name());
                for (int i = 0; i < want.length; i++) {
                    double diff = Math.abs(model.gradients()[offset + i] - want[i]);
                    worst = Math.max(worst, diff);
                    assertThat(diff).as("%s: grad.%s[%d] = %s, PyTorch %s", fixture, spec.name(), i,
                            model.gradients()[offset + i], want[i]).isLessThanOrEqualTo(GRADIENT_TOLERANCE);
                }
            }
            System.out.printf("%s: |Δloss| = %.2e, max |Δgrad| = %.2e%n", fixture,
                    Math.abs(loss - Double.parseDouble(expected.metadata().get("loss"))), worst);
        }
    }

    static int[] ints(String csv) {
        return Arrays.stream(csv.split(",")).mapToInt(s -> Integer.parseInt(s.trim())).toArray();
    }
}
