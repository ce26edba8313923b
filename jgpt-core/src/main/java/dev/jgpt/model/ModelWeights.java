package dev.jgpt.model;

import dev.jgpt.tensor.Tensor;
import dev.jgpt.tensor.WeightMatrix;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

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

    /**
     * The weights of a GPT-2 whose tensors, by Hugging Face name (no prefix), {@code tensors} gives
     * with their shapes already checked: matrices are views, norms and biases are copied to float[].
     */
    public static ModelWeights of(ModelConfig config, Function<String, Tensor> tensors, Tensor unembedding) {
        Function<String, WeightMatrix> matrix = name -> tensors.apply(name).asMatrix(WeightMatrix.Layout.IN_OUT);
        Function<String, float[]> vector = name -> tensors.apply(name).toFloatArray();
        List<LayerWeights> layers = new ArrayList<>();
        for (int l = 0; l < config.layers(); l++) {
            String p = "h." + l + ".";
            layers.add(new LayerWeights(
                    vector.apply(p + "ln_1.weight"), vector.apply(p + "ln_1.bias"),
                    matrix.apply(p + "attn.c_attn.weight"), vector.apply(p + "attn.c_attn.bias"),
                    matrix.apply(p + "attn.c_proj.weight"), vector.apply(p + "attn.c_proj.bias"),
                    vector.apply(p + "ln_2.weight"), vector.apply(p + "ln_2.bias"),
                    matrix.apply(p + "mlp.c_fc.weight"), vector.apply(p + "mlp.c_fc.bias"),
                    matrix.apply(p + "mlp.c_proj.weight"), vector.apply(p + "mlp.c_proj.bias")));
        }
        return new ModelWeights(config, tensors.apply("wte.weight"), tensors.apply("wpe.weight"), List.copyOf(layers),
                vector.apply("ln_f.weight"), vector.apply("ln_f.bias"), unembedding.asMatrix(WeightMatrix.Layout.OUT_IN));
    }
}
