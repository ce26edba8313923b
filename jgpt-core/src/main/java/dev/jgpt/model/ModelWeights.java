package dev.jgpt.model;

import dev.jgpt.tensor.Tensor;
import dev.jgpt.tensor.WeightMatrix;
import java.util.List;

/**
 * Every weight of a GPT-2 model, viewed where the checkpoint holds it.
 *
 * @param tokenEmbedding    wte [vocab, E]
 * @param positionEmbedding wpe [context, E]
 * @param unembedding       [E] → [vocab] logits: wte itself when tied
 */
public record ModelWeights(ModelConfig config, Tensor tokenEmbedding, Tensor positionEmbedding,
                           List<LayerWeights> layers, float[] finalNormWeight, float[] finalNormBias,
                           WeightMatrix unembedding) {
}
