package dev.jgpt.model;

import java.util.function.UnaryOperator;

/**
 * One transformer block's weights: pre-norm attention, then a pre-norm MLP. Widths: E the
 * embedding, Q = heads·D the queries, K = kvHeads·D the keys and the values, H the MLP.
 *
 * <p>The query, key and value projections are stored either fused in one matrix ({@code qkv},
 * GPT-2) or apart ({@code query}, {@code key}, {@code value}, GGUF Llama); the other is null.
 *
 * @param qkv             [E] → [Q + 2K]: q, k, v side by side
 * @param attentionOutput [Q] → [E]
 * @param mlpGate         SwiGLU's gate [E] → [H]; null for a GELU MLP
 * @param mlpUp           [E] → [H]
 * @param mlpDown         [H] → [E]
 */
public record LayerWeights(NormWeights attentionNorm, Linear qkv, Linear query, Linear key, Linear value,
                           Linear attentionOutput, NormWeights mlpNorm, Linear mlpGate, Linear mlpUp, Linear mlpDown) {

    public LayerWeights {
        boolean apart = query != null && key != null && value != null;
        boolean none = query == null && key == null && value == null;
        if ((qkv == null) != apart || (qkv != null && !none)) {
            throw new IllegalArgumentException("a layer has either a fused qkv projection or separate query, key and value");
        }
    }

    /** A block whose q, k and v projections are one fused matrix. */
    public static LayerWeights fused(NormWeights attentionNorm, Linear qkv, Linear attentionOutput, NormWeights mlpNorm,
                                     Linear mlpGate, Linear mlpUp, Linear mlpDown) {
        return new LayerWeights(attentionNorm, qkv, null, null, null, attentionOutput, mlpNorm, mlpGate, mlpUp, mlpDown);
    }

    /** A block whose q, k and v projections are three matrices. */
    public static LayerWeights separate(NormWeights attentionNorm, Linear query, Linear key, Linear value,
                                        Linear attentionOutput, NormWeights mlpNorm, Linear mlpGate, Linear mlpUp,
                                        Linear mlpDown) {
        return new LayerWeights(attentionNorm, null, query, key, value, attentionOutput, mlpNorm, mlpGate, mlpUp, mlpDown);
    }

    /** This block with each of its linear maps replaced by {@code f} of it. */
    public LayerWeights mapLinears(UnaryOperator<Linear> f) {
        return new LayerWeights(attentionNorm, map(f, qkv), map(f, query), map(f, key), map(f, value),
                map(f, attentionOutput), mlpNorm, map(f, mlpGate), map(f, mlpUp), map(f, mlpDown));
    }

    private static Linear map(UnaryOperator<Linear> f, Linear linear) {
        return linear == null ? null : f.apply(linear);
    }
}
