package dev.jgpt.model.load;

import dev.jgpt.Quoted;
import dev.jgpt.format.FormatException;
import dev.jgpt.format.TensorSource;
import dev.jgpt.model.Architecture;
import dev.jgpt.model.ModelConfig;
import dev.jgpt.model.ModelWeights;
import dev.jgpt.tensor.Tensor;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Finds the tensors of a Hugging Face checkpoint ({@link HfTensors}), checking each one's shape.
 * GPT-2's may carry the {@code transformer.} prefix; its attention-mask buffers
 * ({@code h.N.attn.bias}, {@code h.N.attn.masked_bias}) are not weights and are ignored, and an
 * {@code lm_head.weight} is used as the unembedding when present, else {@code wte} (tied).
 */
public final class HfLoader {
    private static final Pattern KNOWN = Pattern.compile(
            "(transformer\\.)?(wte|wpe|ln_f)\\.(weight|bias)|lm_head\\.weight"
                    + "|(transformer\\.)?h\\.\\d+\\.(ln_1|ln_2|attn\\.c_attn|attn\\.c_proj|mlp\\.c_fc|mlp\\.c_proj)\\.(weight|bias)"
                    + "|(transformer\\.)?h\\.\\d+\\.attn\\.(bias|masked_bias)");

    private static final Pattern LAYER = Pattern.compile("(?:transformer\\.)?h\\.(\\d+)\\..*");
    private static final Pattern LLAMA_KNOWN = Pattern.compile("model\\.(embed_tokens|norm)\\.weight|lm_head\\.weight"
            + "|model\\.layers\\.\\d+\\.(input_layernorm|post_attention_layernorm|self_attn\\.[qkvo]_proj|mlp\\.(gate|up|down)_proj)"
            + "\\.(weight|bias)");
    private static final Pattern LLAMA_LAYER = Pattern.compile("model\\.layers\\.(\\d+)\\..*");

    private final TensorSource source;
    private final ModelConfig config;
    private final String prefix;

    private HfLoader(TensorSource source, ModelConfig config) {
        this.source = source;
        this.config = config;
        this.prefix = source.find("wte.weight").isPresent() ? "" : "transformer.";
    }

    public static ModelWeights load(TensorSource source, ModelConfig config) {
        return new HfLoader(source, config).load();
    }

    private ModelWeights load() {
        boolean gpt2 = config.architecture().equals(Architecture.GPT2);
        for (String name : source.names()) {
            if (!(gpt2 ? KNOWN : LLAMA_KNOWN).matcher(name).matches()) {
                throw new FormatException(source.file(), "unexpected tensor " + Quoted.of(name) + " for a " + config.architecture()
                        + " model");
            }
        }
        StoredLayers.check(source, gpt2 ? LAYER : LLAMA_LAYER, config.layers(),
                (gpt2 ? "n_layer" : "num_hidden_layers") + " in config.json");
        Map<String, Tensor> tensors = new HashMap<>();
        for (HfTensors.Spec spec : HfTensors.of(config)) {
            tensors.put(spec.name(), tensor(spec.name(), spec.shape()));
        }
        Tensor head = gpt2 ? source.find("lm_head.weight").orElse(tensors.get("wte.weight")) : null;
        if (head != null) {
            checkShape(head, config.vocabSize(), config.embd());
        }
        return HfTensors.weights(config, tensors::get, head);
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
