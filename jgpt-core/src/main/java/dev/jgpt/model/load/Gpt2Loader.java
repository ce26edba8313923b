package dev.jgpt.model.load;

import dev.jgpt.Quoted;
import dev.jgpt.format.FormatException;
import dev.jgpt.format.TensorSource;
import dev.jgpt.model.ModelConfig;
import dev.jgpt.model.ModelWeights;
import dev.jgpt.tensor.Tensor;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Finds GPT-2's tensors in a Hugging Face checkpoint, with or without the {@code transformer.}
 * prefix, checking each one's shape. Attention-mask buffers ({@code h.N.attn.bias},
 * {@code h.N.attn.masked_bias}) are not weights and are ignored; an {@code lm_head.weight}
 * is used as the unembedding when present, else {@code wte} (tied).
 */
public final class Gpt2Loader {
    private static final Pattern KNOWN = Pattern.compile(
            "(transformer\\.)?(wte|wpe|ln_f)\\.(weight|bias)|lm_head\\.weight"
                    + "|(transformer\\.)?h\\.\\d+\\.(ln_1|ln_2|attn\\.c_attn|attn\\.c_proj|mlp\\.c_fc|mlp\\.c_proj)\\.(weight|bias)"
                    + "|(transformer\\.)?h\\.\\d+\\.attn\\.(bias|masked_bias)");

    private static final Pattern LAYER = Pattern.compile("(?:transformer\\.)?h\\.(\\d+)\\..*");

    private final TensorSource source;
    private final ModelConfig config;
    private final String prefix;

    private Gpt2Loader(TensorSource source, ModelConfig config) {
        this.source = source;
        this.config = config;
        this.prefix = source.find("wte.weight").isPresent() ? "" : "transformer.";
    }

    public static ModelWeights load(TensorSource source, ModelConfig config) {
        return new Gpt2Loader(source, config).load();
    }

    private ModelWeights load() {
        for (String name : source.names()) {
            if (!KNOWN.matcher(name).matches()) {
                throw new FormatException(source.file(), "unexpected tensor " + Quoted.of(name) + " for a GPT-2 model");
            }
        }
        StoredLayers.check(source, LAYER, config.layers(), "n_layer in config.json");
        Map<String, Tensor> tensors = new HashMap<>();
        for (Gpt2Tensors.Spec spec : Gpt2Tensors.of(config)) {
            tensors.put(spec.name(), tensor(spec.name(), spec.shape()));
        }
        Tensor head = source.find("lm_head.weight").orElse(tensors.get("wte.weight"));
        checkShape(head, config.vocabSize(), config.embd());
        return ModelWeights.of(config, tensors::get, head);
    }

    private Tensor tensor(String name, long... shape) {
        Tensor t = source.find(prefix + name).or(() -> source.find(name)).orElseThrow(
                () -> new FormatException(source.file(), "missing tensor '" + prefix + name + "'"));
        checkShape(t, shape);
        return t;
    }

    private void checkShape(Tensor t, long... shape) {
        if (!t.hasShape(shape)) {
            throw new FormatException(source.file(), "tensor '" + t.name() + "' has shape " + Tensor.shapeString(t.shape())
                    + ", expected " + Tensor.shapeString(shape) + " from config.json");
        }
    }
}
