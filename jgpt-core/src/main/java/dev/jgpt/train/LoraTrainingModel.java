package dev.jgpt.train;

import dev.jgpt.model.Gradients;
import dev.jgpt.model.ModelConfig;
import dev.jgpt.model.ModelWeights;
import java.util.Arrays;

/**
 * LoRA training: the loss and the gradients of the adapter's factors ({@link LoraParameters}) on
 * a frozen base model, whose weights stay where and as they are stored (quantized ones included:
 * the backward reaches through them, never computing their gradients). Each pass attaches the
 * factors' current values to the base's linear maps and runs the same {@link TrainingPass} as a
 * whole model's training.
 *
 * <p>Not thread-safe; the kernels use the shared thread pool.
 */
public final class LoraTrainingModel implements Trainable {
    private final ModelWeights base;
    private final LoraParameters lora;
    private final float[] gradients;
    private final float[] termGradients;
    private final Gradients slots;
    private final TrainingPass pass;

    public LoraTrainingModel(ModelWeights base, LoraParameters lora) {
        this.base = base;
        this.lora = lora;
        this.gradients = new float[lora.count()];
        this.termGradients = new float[lora.count()];
        this.slots = lora.termGradients(base, termGradients);
        this.pass = new TrainingPass(base.config(), base.layers().getFirst().qkv() != null);
    }

    @Override
    public LoraParameters parameters() {
        return lora;
    }

    @Override
    public ModelConfig config() {
        return base.config();
    }

    /** The gradients of the factors, laid out like {@link LoraParameters}. */
    @Override
    public float[] gradients() {
        return gradients;
    }

    @Override
    public void zeroGradients() {
        Arrays.fill(gradients, 0f);
    }

    @Override
    public float step(int[] inputs, int[] targets, int batch, int seq, float gradientScale) {
        Arrays.fill(termGradients, 0f);
        float loss = pass.run(weights(), inputs, targets, batch, seq, gradientScale, slots);
        lora.addFactorGradients(termGradients, gradients);
        return loss;
    }

    @Override
    public float loss(int[] inputs, int[] targets, int batch, int seq) {
        return pass.run(weights(), inputs, targets, batch, seq, 0f, null);
    }

    /** The base model with the adapter at its factors' values now. */
    @Override
    public ModelWeights weights() {
        return lora.attach(base);
    }
}
