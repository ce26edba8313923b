package dev.jgpt.train;

import dev.jgpt.model.Gradients;
import dev.jgpt.model.ModelConfig;
import dev.jgpt.model.ModelWeights;
import dev.jgpt.model.Transformer;
import dev.jgpt.tensor.Parallel;
import java.util.Arrays;

/**
 * The loss and gradients of a batch: the {@link Transformer} over the {@link Parameters} runs
 * its training pass (the forward of inference with activations kept, then each layer's backward).
 * The loss is the mean softmax cross-entropy over every position of the batch.
 *
 * <p>Gradients are a {@code float[]} laid out like {@link Parameters} (same offsets). They
 * accumulate across {@link #step} calls until {@link #zeroGradients()}.
 *
 * <p>Not thread-safe; the kernels use the shared thread pool.
 */
public final class TrainingModel implements Trainable {
    private final Parameters parameters;
    private final ModelConfig config;
    private final float[] gradients;
    private final Gradients slots;
    private final TrainingPass pass;

    public TrainingModel(Parameters parameters) {
        this.parameters = parameters;
        this.config = parameters.config();
        this.gradients = new float[parameters.count()];
        this.slots = parameters.gradients(gradients);
        this.pass = new TrainingPass(config, parameters.fusedQkv());
    }

    @Override
    public Parameters parameters() {
        return parameters;
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    /** The accumulated gradients, laid out like the parameters ({@link Parameters#offset}). */
    @Override
    public float[] gradients() {
        return gradients;
    }

    @Override
    public void zeroGradients() {
        int chunk = 1 << 20;
        Parallel.forRange((gradients.length + chunk - 1) / chunk,
                (c0, c1) -> Arrays.fill(gradients, c0 * chunk, Math.min(gradients.length, c1 * chunk), 0f));
    }

    /** {@link #step(int[], int[], int, int, float)} with gradient scale 1. */
    public float step(int[] inputs, int[] targets, int batch, int seq) {
        return step(inputs, targets, batch, seq, 1f);
    }

    @Override
    public float step(int[] inputs, int[] targets, int batch, int seq, float gradientScale) {
        return run(inputs, targets, batch, seq, gradientScale, slots);
    }

    @Override
    public float loss(int[] inputs, int[] targets, int batch, int seq) {
        return run(inputs, targets, batch, seq, 0f, null);
    }

    /** Norms and biases are copies in a weights view: a fresh view sees the optimizer's last step. */
    @Override
    public ModelWeights weights() {
        return parameters.modelWeights();
    }

    private float run(int[] inputs, int[] targets, int batch, int seq, float gradientScale, Gradients into) {
        return pass.run(weights(), inputs, targets, batch, seq, gradientScale, into);
    }
}
