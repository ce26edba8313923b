package dev.jgpt.model.load;

import dev.jgpt.JgptException;
import dev.jgpt.model.Architecture;
import dev.jgpt.model.LayerWeights;
import dev.jgpt.model.Linear;
import dev.jgpt.model.ModelConfig;
import dev.jgpt.model.ModelWeights;
import dev.jgpt.model.NormWeights;
import dev.jgpt.model.Rope;
import dev.jgpt.tensor.Tensor;
import dev.jgpt.tensor.WeightMatrix;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The tensors of a Hugging Face checkpoint, GPT-2 ({@code wte}, {@code h.N.attn.c_attn}, Conv1D
 * matrices stored [in, out]) or of the Llama family ({@code model.embed_tokens},
 * {@code model.layers.N.self_attn.q_proj}, nn.Linear matrices stored [out, in]), with their
 * shapes and how to initialise them, and the {@link ModelWeights} they make.
 */
public final class HfTensors {
    public record Spec(String name, long[] shape, TensorInit init) {}

    private HfTensors() {}

    /** Every tensor of a checkpoint of {@code c}, in storage order (the unembedding last, when not tied). */
    public static List<Spec> of(ModelConfig c) {
        if (isGpt2(c)) {
            return gpt2(c);
        }
        if (c.architecture().learnedPositions() || c.architecture().rope().style() != Rope.Style.NEOX
                || c.architecture().rope().dimensions() != c.headSize()) {
            throw new JgptException("a Hugging Face " + c.architecture() + " checkpoint rotates whole heads by halves (NEOX)");
        }
        long e = c.embd();
        long q = c.queryDim();
        long kv = c.kvDim();
        long hidden = c.mlpHidden();
        boolean qkvBias = c.architecture().qkvBias();
        List<Spec> specs = new ArrayList<>();
        specs.add(new Spec("model.embed_tokens.weight", new long[] {c.vocabSize(), e}, TensorInit.NORMAL));
        for (int i = 0; i < c.layers(); i++) {
            String p = "model.layers." + i + ".";
            specs.add(new Spec(p + "input_layernorm.weight", new long[] {e}, TensorInit.ONES));
            linear(specs, p + "self_attn.q_proj", e, q, qkvBias, TensorInit.NORMAL);
            linear(specs, p + "self_attn.k_proj", e, kv, qkvBias, TensorInit.NORMAL);
            linear(specs, p + "self_attn.v_proj", e, kv, qkvBias, TensorInit.NORMAL);
            linear(specs, p + "self_attn.o_proj", q, e, false, TensorInit.RESIDUAL_PROJECTION);
            specs.add(new Spec(p + "post_attention_layernorm.weight", new long[] {e}, TensorInit.ONES));
            linear(specs, p + "mlp.gate_proj", e, hidden, false, TensorInit.NORMAL);
            linear(specs, p + "mlp.up_proj", e, hidden, false, TensorInit.NORMAL);
            linear(specs, p + "mlp.down_proj", hidden, e, false, TensorInit.RESIDUAL_PROJECTION);
        }
        specs.add(new Spec("model.norm.weight", new long[] {e}, TensorInit.ONES));
        if (!c.tiedOutput()) {
            specs.add(new Spec("lm_head.weight", new long[] {c.vocabSize(), e}, TensorInit.NORMAL));
        }
        return specs;
    }

    /**
     * The weights of a checkpoint whose tensors, by the names of {@link #of} (no prefix),
     * {@code tensors} gives with their shapes already checked: matrices are views, norms and
     * biases are copied to float[]. GPT-2's unembedding is {@code unembedding} (lm_head or wte).
     */
    public static ModelWeights weights(ModelConfig c, Function<String, Tensor> tensors, Tensor unembedding) {
        if (isGpt2(c)) {
            return gpt2Weights(c, tensors, unembedding);
        }
        Function<String, float[]> vector = name -> tensors.apply(name).toFloatArray();
        boolean qkvBias = c.architecture().qkvBias();
        Function<String, Linear> linear = name -> new Linear(tensors.apply(name + ".weight").asMatrix(WeightMatrix.Layout.OUT_IN),
                null);
        Function<String, Linear> biased = name -> qkvBias
                ? new Linear(tensors.apply(name + ".weight").asMatrix(WeightMatrix.Layout.OUT_IN), vector.apply(name + ".bias"))
                : linear.apply(name);
        Function<String, NormWeights> norm = name -> new NormWeights(vector.apply(name + ".weight"), null);
        List<LayerWeights> layers = new ArrayList<>();
        for (int l = 0; l < c.layers(); l++) {
            String p = "model.layers." + l + ".";
            layers.add(LayerWeights.separate(norm.apply(p + "input_layernorm"), biased.apply(p + "self_attn.q_proj"),
                    biased.apply(p + "self_attn.k_proj"), biased.apply(p + "self_attn.v_proj"),
                    linear.apply(p + "self_attn.o_proj"), norm.apply(p + "post_attention_layernorm"),
                    linear.apply(p + "mlp.gate_proj"), linear.apply(p + "mlp.up_proj"), linear.apply(p + "mlp.down_proj")));
        }
        Tensor embedding = tensors.apply("model.embed_tokens.weight");
        Tensor head = c.tiedOutput() ? embedding : tensors.apply("lm_head.weight");
        return new ModelWeights(c, embedding, null, layers, norm.apply("model.norm"), head.asMatrix(WeightMatrix.Layout.OUT_IN));
    }

    /** The name of the token embedding, which a tied unembedding shares. */
    public static String tokenEmbedding(ModelConfig c) {
        return isGpt2(c) ? "wte.weight" : "model.embed_tokens.weight";
    }

    private static boolean isGpt2(ModelConfig c) {
        return c.architecture().equals(Architecture.GPT2);
    }

    private static void linear(List<Spec> specs, String stem, long in, long out, boolean bias, TensorInit init) {
        specs.add(new Spec(stem + ".weight", new long[] {out, in}, init));
        if (bias) {
            specs.add(new Spec(stem + ".bias", new long[] {out}, TensorInit.ZEROS));
        }
    }

    private static List<Spec> gpt2(ModelConfig c) {
        if (c.kvHeads() != c.heads() || !c.tiedOutput()) {
            throw new JgptException("a Hugging Face GPT-2 checkpoint has as many key/value heads as heads and a tied unembedding");
        }
        long e = c.embd();
        long hidden = c.mlpHidden();
        List<Spec> specs = new ArrayList<>();
        specs.add(new Spec("wte.weight", new long[] {c.vocabSize(), e}, TensorInit.NORMAL));
        specs.add(new Spec("wpe.weight", new long[] {c.contextLength(), e}, TensorInit.NORMAL));
        for (int i = 0; i < c.layers(); i++) {
            String p = "h." + i + ".";
            specs.add(new Spec(p + "ln_1.weight", new long[] {e}, TensorInit.ONES));
            specs.add(new Spec(p + "ln_1.bias", new long[] {e}, TensorInit.ZEROS));
            specs.add(new Spec(p + "attn.c_attn.weight", new long[] {e, 3 * e}, TensorInit.NORMAL));
            specs.add(new Spec(p + "attn.c_attn.bias", new long[] {3 * e}, TensorInit.ZEROS));
            specs.add(new Spec(p + "attn.c_proj.weight", new long[] {e, e}, TensorInit.RESIDUAL_PROJECTION));
            specs.add(new Spec(p + "attn.c_proj.bias", new long[] {e}, TensorInit.ZEROS));
            specs.add(new Spec(p + "ln_2.weight", new long[] {e}, TensorInit.ONES));
            specs.add(new Spec(p + "ln_2.bias", new long[] {e}, TensorInit.ZEROS));
            specs.add(new Spec(p + "mlp.c_fc.weight", new long[] {e, hidden}, TensorInit.NORMAL));
            specs.add(new Spec(p + "mlp.c_fc.bias", new long[] {hidden}, TensorInit.ZEROS));
            specs.add(new Spec(p + "mlp.c_proj.weight", new long[] {hidden, e}, TensorInit.RESIDUAL_PROJECTION));
            specs.add(new Spec(p + "mlp.c_proj.bias", new long[] {e}, TensorInit.ZEROS));
        }
        specs.add(new Spec("ln_f.weight", new long[] {e}, TensorInit.ONES));
        specs.add(new Spec("ln_f.bias", new long[] {e}, TensorInit.ZEROS));
        return specs;
    }

    /**
     * The weights of a GPT-2 whose tensors, by Hugging Face name (no prefix), {@code tensors} gives
     * with their shapes already checked: matrices are views, norms and biases are copied to float[].
     */
    private static ModelWeights gpt2Weights(ModelConfig config, Function<String, Tensor> tensors, Tensor unembedding) {
        Function<String, float[]> vector = name -> tensors.apply(name).toFloatArray();
        Function<String, Linear> linear = name -> new Linear(
                tensors.apply(name + ".weight").asMatrix(WeightMatrix.Layout.IN_OUT), vector.apply(name + ".bias"));
        Function<String, NormWeights> norm = name -> new NormWeights(vector.apply(name + ".weight"), vector.apply(name + ".bias"));
        List<LayerWeights> layers = new ArrayList<>();
        for (int l = 0; l < config.layers(); l++) {
            String p = "h." + l + ".";
            layers.add(LayerWeights.fused(norm.apply(p + "ln_1"), linear.apply(p + "attn.c_attn"),
                    linear.apply(p + "attn.c_proj"), norm.apply(p + "ln_2"), null,
                    linear.apply(p + "mlp.c_fc"), linear.apply(p + "mlp.c_proj")));
        }
        return new ModelWeights(config, tensors.apply("wte.weight"), tensors.apply("wpe.weight"), layers,
                norm.apply("ln_f"), unembedding.asMatrix(WeightMatrix.Layout.OUT_IN));
    }
}
