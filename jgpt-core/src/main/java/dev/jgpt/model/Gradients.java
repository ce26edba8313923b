package dev.jgpt.model;

import java.util.List;

/**
 * Where the backward pass adds the gradient of each weight: an element offset into
 * {@code values}, or {@link #FROZEN} for a weight that is held fixed (its gradient is not
 * computed) or absent. The slots mirror {@link ModelWeights} and {@link LayerWeights}.
 *
 * @param unembedding the unembedding's slot: the token embedding's own when the two are tied
 */
public record Gradients(float[] values, int tokenEmbedding, int positionEmbedding, List<LayerSlots> layers,
                        NormSlots finalNorm, int unembedding) {
    public static final int FROZEN = -1;

    public Gradients {
        layers = List.copyOf(layers);
    }

    /**
     * A linear map's weight and bias, and the two factors of the low-rank term an adapter adds to
     * it ({@link dev.jgpt.tensor.LowRank}'s down [rank × in] and up [rank × out]).
     */
    public record LinearSlots(int weight, int bias, int adapterDown, int adapterUp) {
        public static final LinearSlots NONE = new LinearSlots(FROZEN, FROZEN);

        /** A map's weight and bias; an adapter joined to it, if any, is held fixed. */
        public LinearSlots(int weight, int bias) {
            this(weight, bias, FROZEN, FROZEN);
        }

        /** Only the factors of the map's adapter take gradients. */
        public static LinearSlots adapterOnly(int adapterDown, int adapterUp) {
            return new LinearSlots(FROZEN, FROZEN, adapterDown, adapterUp);
        }
    }

    /** A norm's gain and bias. */
    public record NormSlots(int weight, int bias) {}

    /** One block's weights; the slots of maps a block does not have are {@link LinearSlots#NONE}. */
    public record LayerSlots(NormSlots attentionNorm, LinearSlots qkv, LinearSlots query, LinearSlots key,
                             LinearSlots value, LinearSlots attentionOutput, NormSlots mlpNorm, LinearSlots mlpGate,
                             LinearSlots mlpUp, LinearSlots mlpDown) {}
}
