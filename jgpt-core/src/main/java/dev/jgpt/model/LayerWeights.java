package dev.jgpt.model;

import dev.jgpt.tensor.WeightMatrix;

/** One transformer block's weights: pre-LayerNorm attention, then pre-LayerNorm MLP. */
public record LayerWeights(
        float[] norm1Weight, float[] norm1Bias,
        WeightMatrix qkv, float[] qkvBias,                  // [E] → [3E]: q, k, v side by side
        WeightMatrix attnProj, float[] attnProjBias,        // [E] → [E]
        float[] norm2Weight, float[] norm2Bias,
        WeightMatrix mlpUp, float[] mlpUpBias,              // [E] → [hidden]
        WeightMatrix mlpDown, float[] mlpDownBias) {        // [hidden] → [E]
}
