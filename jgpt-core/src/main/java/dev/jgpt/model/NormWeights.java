package dev.jgpt.model;

/** A norm's gain γ [E] and, for LayerNorm with biases, its shift β [E] (null otherwise). */
public record NormWeights(float[] weight, float[] bias) {

    public NormWeights {
        if (weight == null || (bias != null && bias.length != weight.length)) {
            throw new IllegalArgumentException("a norm needs a gain, and a bias of the same width if any");
        }
    }
}
