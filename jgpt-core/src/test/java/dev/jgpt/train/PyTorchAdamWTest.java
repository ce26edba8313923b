package dev.jgpt.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jgpt.SharedData;
import dev.jgpt.format.SafeTensors;
import dev.jgpt.model.load.HfTensors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Five AdamW steps on fixtures/tiny against ../shared/fixtures/tiny/adamw5 (float64 PyTorch). */
class PyTorchAdamWTest {
    @Test
    void fiveStepsMatchTorchOptimAdamW() throws IOException {
        Path tiny = SharedData.require("fixtures/tiny");
        Path adamw5 = tiny.resolve("adamw5");
        JsonNode log = new ObjectMapper().readTree(adamw5.resolve("train_log.json").toFile());
        int batch = log.get("batch").asInt();
        int seq = log.get("seq").asInt();
        int[] data = uint16(tiny.resolve("train_tokens.bin"));
        AdamWSettings settings = new AdamWSettings((float) log.get("betas").get(0).asDouble(),
                (float) log.get("betas").get(1).asDouble(), (float) log.get("eps").asDouble(),
                (float) log.get("weight_decay").asDouble());
        float lr = (float) log.get("lr").asDouble();

        try (Parameters parameters = Parameters.load(tiny);
             SafeTensors expected = SafeTensors.open(adamw5.resolve("model.safetensors"))) {
            TrainingModel model = new TrainingModel(parameters);
            AdamW optimizer = new AdamW(parameters, settings);
            int windows = (data.length - 1) / seq;
            for (int step = 0; step < log.get("steps").asInt(); step++) {
                int[] x = new int[batch * seq];
                int[] y = new int[batch * seq];
                for (int b = 0; b < batch; b++) {
                    int g = (step * batch + b) % windows;
                    System.arraycopy(data, g * seq, x, b * seq, seq);
                    System.arraycopy(data, g * seq + 1, y, b * seq, seq);
                }
                model.zeroGradients();
                float loss = model.step(x, y, batch, seq);
                optimizer.step(model.gradients(), lr);
                assertThat((double) loss).as("loss of step %d", step).isCloseTo(log.get("losses").get(step).asDouble(), within(1e-5));
            }

            long total = 0;
            long outside = 0;
            double worst = 0;
            for (HfTensors.Spec spec : parameters.specs()) {
                float[] want = expected.require(spec.name()).toFloatArray();
                float[] got = parameters.tensor(spec.name()).toFloatArray();
                for (int i = 0; i < want.length; i++) {
                    double diff = Math.abs(got[i] - want[i]);
                    worst = Math.max(worst, diff);
                    outside += diff > 1e-5 ? 1 : 0;
                    total++;
                }
            }
            System.out.printf("adamw5: max |Δweight| = %.2e, %d of %d beyond 1e-5%n", worst, outside, total);
            assertThat(worst).as("max |Δ| of the weights after 5 steps").isLessThanOrEqualTo(2e-4);
            assertThat((double) outside / total).as("share of weights beyond 1e-5").isLessThanOrEqualTo(0.001);
        }
    }

    static int[] uint16(Path file) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        int[] ids = new int[bytes.remaining() / 2];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = Short.toUnsignedInt(bytes.getShort());
        }
        return ids;
    }
}
