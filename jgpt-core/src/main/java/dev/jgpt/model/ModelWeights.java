package dev.jgpt.model;

import dev.jgpt.tensor.Tensor;
import dev.jgpt.tensor.WeightMatrix;
import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Every weight of a model, viewed where the checkpoint holds it.
 *
 * @param tokenEmbedding    [vocab, E]
 * @param positionEmbedding [context, E] learned positions (GPT-2); null under rotary embeddings
 * @param unembedding       [E] → [vocab] logits: the token embedding itself when tied
 */
public record ModelWeights(ModelConfig config, Tensor tokenEmbedding, Tensor positionEmbedding,
                           List<LayerWeights> layers, NormWeights finalNorm, WeightMatrix unembedding) {

    public ModelWeights {
        layers = List.copyOf(layers);
        if (layers.size() != config.layers()) {
            throw new IllegalArgumentException(layers.size() + " layers of weights for a config of " + config.layers());
        }
        if ((positionEmbedding == null) != !config.architecture().learnedPositions()) {
            throw new IllegalArgumentException("a position embedding goes with learned positions, and only with them");
        }
        for (LayerWeights layer : layers) {
            checkLayer(config, layer);
        }
        checkNorm(config, finalNorm);
        checkMap(unembedding.name(), unembedding.in(), unembedding.out(), config.embd(), config.vocabSize());
    }

    /**
     * These weights with each linear map of the blocks replaced by {@code f} of it (the hook
     * through which adapters join the maps); the embeddings and the unembedding stay.
     */
    public ModelWeights mapLinears(UnaryOperator<Linear> f) {
        return new ModelWeights(config, tokenEmbedding, positionEmbedding, layers.stream().map(l -> l.mapLinears(f)).toList(),
                finalNorm, unembedding);
    }

    /** The shapes the forward pass relies on: a loader that checked its file's shapes never trips these. */
    private static void checkLayer(ModelConfig c, LayerWeights w) {
        int e = c.embd();
        int q = c.queryDim();
        int kv = c.kvDim();
        int hidden = c.mlpHidden();
        checkNorm(c, w.attentionNorm());
        checkNorm(c, w.mlpNorm());
        if (w.qkv() != null) {
            checkMap(w.qkv(), e, q + 2 * kv);
        } else {
            checkMap(w.query(), e, q);
            checkMap(w.key(), e, kv);
            checkMap(w.value(), e, kv);
        }
        checkMap(w.attentionOutput(), q, e);
        if ((w.mlpGate() != null) != (c.architecture().mlp() == Architecture.Mlp.SWIGLU)) {
            throw new IllegalArgumentException("an MLP gate goes with SwiGLU, and only with it");
        }
        if (w.mlpGate() != null) {
            checkMap(w.mlpGate(), e, hidden);
        }
        checkMap(w.mlpUp(), e, hidden);
        checkMap(w.mlpDown(), hidden, e);
    }

    private static void checkNorm(ModelConfig c, NormWeights norm) {
        if (norm.weight().length != c.embd()
                || (c.architecture().norm() == Architecture.Norm.LAYER_NORM && norm.bias() == null)) {
            throw new IllegalArgumentException("a norm of width " + norm.weight().length + " for embeddings of " + c.embd()
                    + (norm.bias() == null ? ", without the bias LayerNorm needs" : ""));
        }
    }

    private static void checkMap(Linear linear, int in, int out) {
        checkMap(linear.weight().name(), linear.in(), linear.out(), in, out);
    }

    private static void checkMap(String name, int in, int out, int wantIn, int wantOut) {
        if (in != wantIn || out != wantOut) {
            throw new IllegalArgumentException(name + " maps " + in + " → " + out + ", expected " + wantIn + " → " + wantOut);
        }
    }
}
