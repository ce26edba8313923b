package dev.jgpt.train;

import dev.jgpt.model.ModelConfig;
import dev.jgpt.model.ModelWeights;

/**
 * What the {@link Trainer} trains: the loss of a batch and the gradients of the parameters its
 * optimizer updates, laid out like them. Gradients accumulate across {@link #step} calls until
 * {@link #zeroGradients()}.
 */
public interface Trainable {
    ModelConfig config();

    /** The parameters the optimizer updates, laid out like {@link #gradients()}. */
    ParameterTensors parameters();

    /** The accumulated gradients, laid out like the parameters. */
    float[] gradients();

    void zeroGradients();

    /**
     * Forward and backward over {@code batch} sequences of {@code seq} tokens (row-major
     * [batch × seq] in {@code inputs}, next tokens in {@code targets}); adds
     * {@code gradientScale · ∂(mean loss)/∂parameters} to the gradients and returns the mean
     * loss. For k accumulation steps pass {@code gradientScale = 1/k}.
     */
    float step(int[] inputs, int[] targets, int batch, int seq, float gradientScale);

    /** The mean loss only, for validation: no gradient work, gradients untouched. */
    float loss(int[] inputs, int[] targets, int batch, int seq);

    /** The model as it computes now, for inference (samples). */
    ModelWeights weights();
}
