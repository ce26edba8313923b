package dev.jgpt.model;

import java.util.function.UnaryOperator;

/**
 * One transformer block's weights: attention, then an MLP, each with the norms its architecture
 * places (null where it has none). Widths: E the embedding, Q = heads·D the queries,
 * K = kvHeads·D the keys and the values, H the MLP.
 *
 * <p>The query, key and value projections are stored either fused in one matrix ({@code qkv},
 * GPT-2) or apart ({@code query}, {@code key}, {@code value}, GGUF Llama); the other is null.
 *
 * @param qkv             [E] → [Q + 2K]: q, k, v side by side
 * @param attentionOutput [Q] → [E]
 * @param mlpGate         SwiGLU's gate [E] → [H]; null for a GELU MLP
 * @param mlpUp           [E] → [H]
 * @param mlpDown         [H] → [E]
 * @param queryNorm       the queries' RMSNorm gain ([Q], or [D] per head), or null
 * @param keyNorm         the keys' RMSNorm gain ([K], or [D] per head), or null
 * @param postAttentionNorm the norm of the attention's output before the residual, or null
 * @param postMlpNorm     the norm of the MLP's output before the residual, or null
 */
public record LayerWeights(NormWeights attentionNorm, Linear qkv, Linear query, Linear key, Linear value,
                           Linear attentionOutput, NormWeights mlpNorm, Linear mlpGate, Linear mlpUp, Linear mlpDown,
                           NormWeights queryNorm, NormWeights keyNorm, NormWeights postAttentionNorm,
                           NormWeights postMlpNorm) {

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
        return new LayerWeights(attentionNorm, qkv, null, null, null, attentionOutput, mlpNorm, mlpGate, mlpUp, mlpDown,
                null, null, null, null);
    }

    /** A block whose q, k and v projections are three matrices. */
    public static LayerWeights separate(NormWeights attentionNorm, Linear query, Linear key, Linear value,
                                        Linear attentionOutput, NormWeights mlpNorm, Linear mlpGate, Linear mlpUp,
                                        Linear mlpDown) {
        return new LayerWeights(attentionNorm, null, query, key, value, attentionOutput, mlpNorm, mlpGate, mlpUp, mlpDown,
                null, null, null, null);
    }

    /** This block with q/k norms and post-norms (each null where the architecture has none). */
    public LayerWeights withNorms(NormWeights queryGain, NormWeights keyGain, NormWeights postAttention, NormWeights postMlp) {
        return new LayerWeights(attentionNorm, qkv, query, key, value, attentionOutput, mlpNorm, mlpGate, mlpUp, mlpDown,
                queryGain, keyGain, postAttention, postMlp);
    }

    /** This block with each of its linear maps replaced by {@code f} of it. */
    public LayerWeights mapLinears(UnaryOperator<Linear> f) {
        return new LayerWeights(attentionNorm, map(f, qkv), map(f, query), map(f, key), map(f, value),
                map(f, attentionOutput), mlpNorm, map(f, mlpGate), map(f, mlpUp), map(f, mlpDown), queryNorm, keyNorm,
                postAttentionNorm, postMlpNorm);
    }

    private static Linear map(UnaryOperator<Linear> f, Linear linear) {
        return linear == null ? null : f.apply(linear);
    }
}
