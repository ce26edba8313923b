package dev.jgpt.train;

import dev.jgpt.model.Activations;
import dev.jgpt.model.Gradients;
import dev.jgpt.model.ModelConfig;
import dev.jgpt.model.ModelWeights;
import dev.jgpt.model.Transformer;

/**
 * {@link Transformer#train} over weights given each time, with the activations kept between
 * batches (taken anew only when a batch does not fit them). Not thread-safe.
 */
final class TrainingPass {
    private final ModelConfig config;
    private final boolean fusedQkv;
    private Activations act;

    TrainingPass(ModelConfig config, boolean fusedQkv) {
        this.config = config;
        this.fusedQkv = fusedQkv;
    }

    /** The mean loss of the batch; with {@code into} not null, the backward adds the gradients at its slots. */
    float run(ModelWeights weights, int[] inputs, int[] targets, int batch, int seq, float gradientScale, Gradients into) {
        if (batch >= 1 && seq >= 1 && seq <= config.contextLength() && (act == null || !act.fits(batch, seq))) {
            act = null; // let the old buffers go before the new ones are taken
            act = Activations.training(config, batch, seq, fusedQkv);
        }
        return new Transformer(weights).train(inputs, targets, batch, seq, act, into, gradientScale);
    }
}
