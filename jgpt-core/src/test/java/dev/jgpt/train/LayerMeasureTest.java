package dev.jgpt.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.jgpt.model.ModelConfig;
import dev.jgpt.model.load.HfTensors;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Each layer's gradient norm and update/weight ratio, against plain double sums over the tensors each layer names. */
class LayerMeasureTest {
    @Test
    void measuresEachLayerAsPlainSumsDo() {
        ModelConfig config = ModelConfig.gpt2(2, 2, 16, 32, 40);
        try (Parameters parameters = Parameters.random(config, 7)) {
            float[] gradients = new float[parameters.count()];
            Random random = new Random(3);
            for (int i = 0; i < gradients.length; i++) {
                gradients[i] = (float) random.nextGaussian() * (i % 3 + 1);
            }
            float[] before = parameters.data().toArray(ValueLayout.JAVA_FLOAT);
            LayerMeasure measure = new LayerMeasure(parameters);
            measure.before(gradients);
            new AdamW(parameters, new AdamWSettings(0.9f, 0.95f, 1e-8f, 0.1f)).step(gradients, 1e-2f);
            List<LayerStatistics> layers = measure.after();

            assertThat(layers).extracting(LayerStatistics::name).containsExactly("wte", "wpe", "layer 0", "layer 1", "ln_f");
            float[] after = parameters.data().toArray(ValueLayout.JAVA_FLOAT);
            for (LayerStatistics layer : layers) {
                String prefix = layer.name().startsWith("layer ") ? "h." + layer.name().substring(6) + "." : layer.name() + ".";
                double g = 0;
                double update = 0;
                double weight = 0;
                for (HfTensors.Spec spec : parameters.specs()) {
                    if (!spec.name().startsWith(prefix)) {
                        continue;
                    }
                    int from = parameters.offset(spec.name());
                    long n = parameters.tensor(spec.name()).elementCount();
                    for (int i = from; i < from + n; i++) {
                        g += (double) gradients[i] * gradients[i];
                        update += Math.pow((double) after[i] - before[i], 2);
                        weight += (double) after[i] * after[i];
                    }
                }
                assertThat(layer.gradientNorm()).as(layer.name()).isCloseTo(Math.sqrt(g), within(1e-5 * Math.sqrt(g)));
                assertThat(layer.updateRatio()).as(layer.name()).isCloseTo(Math.sqrt(update / weight),
                        within(1e-5 * Math.sqrt(update / weight)));
                assertThat(layer.updateRatio()).isPositive();
            }
        }
    }

    @Test
    void namesALayerByItsBlockIndexWhateverTheNaming() {
        assertThat(LayerMeasure.layerName("h.3.attn.c_attn.weight")).isEqualTo("layer 3");
        assertThat(LayerMeasure.layerName("model.layers.12.mlp.up_proj.weight")).isEqualTo("layer 12");
        assertThat(LayerMeasure.layerName("blk.0.attn_q.weight.lora_a")).isEqualTo("layer 0");
        assertThat(LayerMeasure.layerName("model.embed_tokens.weight")).isEqualTo("model.embed_tokens");
        assertThat(LayerMeasure.layerName("ln_f.bias")).isEqualTo("ln_f");
    }
}
