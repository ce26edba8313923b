package dev.jgpt.model;

import dev.jgpt.format.FormatException;
import dev.jgpt.format.TensorSource;
import dev.jgpt.tensor.Tensor;
import dev.jgpt.tensor.WeightMatrix.Layout;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds GPT-2's tensors in a Hugging Face checkpoint, with or without the {@code transformer.}
 * prefix, checking each one's shape. Attention-mask buffers ({@code h.N.attn.bias},
 * {@code h.N.attn.masked_bias}) are not weights and are ignored; an {@code lm_head.weight}
 * is used as the unembedding when present, else {@code wte} (tied).
 */
final class Gpt2Loader {
    private static final Pattern KNOWN = Pattern.compile(
            "(transformer\\.)?(wte|wpe|ln_f)\\.(weight|bias)|lm_head\\.weight"
                    + "|(transformer\\.)?h\\.\\d+\\.(ln_1|ln_2|attn\\.c_attn|attn\\.c_proj|mlp\\.c_fc|mlp\\.c_proj)\\.(weight|bias)"
                    + "|(transformer\\.)?h\\.\\d+\\.attn\\.(bias|masked_bias)");

    private static final Pattern LAYER = Pattern.compile("(?:transformer\\.)?h\\.(\\d{1,6})\\..*");

    private final TensorSource source;
    private final ModelConfig config;
    private final String prefix;

    private Gpt2Loader(TensorSource source, ModelConfig config) {
        this.source = source;
        this.config = config;
        this.prefix = source.find("wte.weight").isPresent() ? "" : "transformer.";
    }

    static ModelWeights load(TensorSource source, ModelConfig config) {
        return new Gpt2Loader(source, config).load();
    }

    private ModelWeights load() {
        for (String name : source.names()) {
            if (!KNOWN.matcher(name).matches()) {
                throw new FormatException(source.file(), "unexpected tensor '" + name + "' for a GPT-2 model");
            }
            Matcher layer = LAYER.matcher(name);
            if (layer.matches() && Integer.parseInt(layer.group(1)) >= config.layers()) {
                throw new FormatException(source.file(), "tensor '" + name + "' belongs to a layer beyond n_layer = "
                        + config.layers() + " in config.json");
            }
        }
        int e = config.embd();
        Tensor wte = tensor("wte.weight", config.vocabSize(), e);
        Tensor wpe = tensor("wpe.weight", config.contextLength(), e);
        List<LayerWeights> layers = new ArrayList<>();
        for (int i = 0; i < config.layers(); i++) {
            String p = "h." + i + ".";
            int hidden = config.mlpHidden();
            layers.add(new LayerWeights(
                    vector(p + "ln_1.weight", e), vector(p + "ln_1.bias", e),
                    tensor(p + "attn.c_attn.weight", e, 3L * e).asMatrix(Layout.IN_OUT), vector(p + "attn.c_attn.bias", 3 * e),
                    tensor(p + "attn.c_proj.weight", e, e).asMatrix(Layout.IN_OUT), vector(p + "attn.c_proj.bias", e),
                    vector(p + "ln_2.weight", e), vector(p + "ln_2.bias", e),
                    tensor(p + "mlp.c_fc.weight", e, hidden).asMatrix(Layout.IN_OUT), vector(p + "mlp.c_fc.bias", hidden),
                    tensor(p + "mlp.c_proj.weight", hidden, e).asMatrix(Layout.IN_OUT), vector(p + "mlp.c_proj.bias", e)));
        }
        Tensor head = source.find("lm_head.weight").orElse(wte);
        checkShape(head, config.vocabSize(), e);
        return new ModelWeights(config, wte, wpe, List.copyOf(layers),
                vector("ln_f.weight", e), vector("ln_f.bias", e), head.asMatrix(Layout.OUT_IN));
    }

    private Tensor tensor(String name, long... shape) {
        Tensor t = source.find(prefix + name).or(() -> source.find(name)).orElseThrow(
                () -> new FormatException(source.file(), "missing tensor '" + prefix + name + "'"));
        checkShape(t, shape);
        return t;
    }

    private float[] vector(String name, int length) {
        return tensor(name, length).toFloatArray();
    }

    private void checkShape(Tensor t, long... shape) {
        if (!t.hasShape(shape)) {
            throw new FormatException(source.file(), "tensor '" + t.name() + "' has shape " + Tensor.shapeString(t.shape())
                    + ", expected " + Tensor.shapeString(shape) + " from config.json");
        }
    }
}
