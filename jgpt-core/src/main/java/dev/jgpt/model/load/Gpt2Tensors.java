package dev.jgpt.model.load;

import dev.jgpt.JgptException;
import dev.jgpt.model.Architecture;
import dev.jgpt.model.ModelConfig;
import java.util.ArrayList;
import java.util.List;

/** The tensors of a GPT-2 checkpoint in Hugging Face naming, with their shapes and how to initialise them. */
public final class Gpt2Tensors {
    public record Spec(String name, long[] shape, TensorInit init) {}

    private Gpt2Tensors() {}

    public static List<Spec> of(ModelConfig c) {
        if (!c.architecture().equals(Architecture.GPT2) || c.kvHeads() != c.heads() || !c.tiedOutput()) {
            throw new JgptException("only GPT-2 models (tied unembedding) have Hugging Face GPT-2 tensors; this one is "
                    + c.architecture());
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
}
