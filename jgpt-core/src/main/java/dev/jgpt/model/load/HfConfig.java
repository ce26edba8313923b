package dev.jgpt.model.load;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jgpt.JgptException;
import dev.jgpt.Quoted;
import dev.jgpt.format.AtomicFiles;
import dev.jgpt.format.FormatException;
import dev.jgpt.format.JsonFiles;
import dev.jgpt.model.Architecture;
import dev.jgpt.model.ModelConfig;
import dev.jgpt.model.Rope;
import java.nio.file.Path;

/**
 * Hugging Face {@code config.json} of GPT-2 and of the Llama family (Llama, Qwen2: rotary
 * positions by halves, as transformers applies them), read and written.
 */
public final class HfConfig {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private HfConfig() {}

    public static ModelConfig read(Path file) {
        JsonNode root = JsonFiles.readObject(file, "no such file (a Hugging Face model folder has a config.json)");
        String type = root.path("model_type").asText("gpt2");
        if (type.equals("llama") || type.equals("qwen2")) {
            return readLlama(file, root, type);
        }
        if (!type.equals("gpt2")) {
            throw new FormatException(file, "model_type " + Quoted.of(type) + " is not supported here (supported: gpt2, llama, qwen2)");
        }
        String activation = root.path("activation_function").asText("gelu_new");
        if (!activation.equals("gelu_new") && !activation.equals("gelu_pytorch_tanh")) {
            throw new FormatException(file, "activation_function " + Quoted.of(activation)
                    + " is not supported (GPT-2 uses gelu_new)");
        }
        try {
            int embd = intField(file, root, "n_embd");
            int inner = root.hasNonNull("n_inner") ? intField(file, root, "n_inner")
                    : ModelConfig.multiply(4, embd, "n_embd", "the MLP width 4 × n_embd");
            int heads = intField(file, root, "n_head");
            return new ModelConfig(Architecture.GPT2, intField(file, root, "n_layer"), heads, heads, embd, inner,
                    intField(file, root, "n_positions"), intField(file, root, "vocab_size"),
                    (float) root.path("layer_norm_epsilon").asDouble(1e-5), true);
        } catch (FormatException e) {
            throw e;
        } catch (JgptException e) {
            throw new FormatException(file, e.getMessage());
        }
    }

    private static ModelConfig readLlama(Path file, JsonNode root, String type) {
        String activation = root.path("hidden_act").asText("silu");
        if (!activation.equals("silu")) {
            throw new FormatException(file, "hidden_act " + Quoted.of(activation) + " is not supported (" + type + " uses silu)");
        }
        try {
            int embd = intField(file, root, "hidden_size");
            int heads = intField(file, root, "num_attention_heads");
            int kvHeads = root.hasNonNull("num_key_value_heads") ? intField(file, root, "num_key_value_heads") : heads;
            if (heads <= 0 || embd % heads != 0) {
                throw new FormatException(file, "hidden_size (" + embd + ") must be a positive multiple of num_attention_heads ("
                        + heads + ")");
            }
            Rope rope = Rope.of(Rope.Style.NEOX, embd / heads, root.path("rope_theta").asDouble(10000));
            Architecture architecture = type.equals("llama") ? Architecture.llama(rope) : Architecture.qwen2(rope);
            return new ModelConfig(architecture, intField(file, root, "num_hidden_layers"), heads, kvHeads, embd,
                    intField(file, root, "intermediate_size"), intField(file, root, "max_position_embeddings"),
                    intField(file, root, "vocab_size"), (float) root.path("rms_norm_eps").asDouble(1e-6),
                    root.path("tie_word_embeddings").asBoolean(false));
        } catch (FormatException e) {
            throw e;
        } catch (JgptException e) {
            throw new FormatException(file, e.getMessage());
        }
    }

    private static int intField(Path file, JsonNode root, String name) {
        JsonNode node = root.get(name);
        if (node == null || !node.canConvertToInt()) {
            throw new FormatException(file, "field '" + name + "' is "
                    + (node == null ? "missing" : "not an integer: " + Quoted.of(node.toString())));
        }
        return node.asInt();
    }

    /**
     * Writes a config.json that Hugging Face transformers loads as a GPT2LMHeadModel, a
     * LlamaForCausalLM or a Qwen2ForCausalLM.
     */
    public static void write(ModelConfig config, Path file) {
        HfTensors.of(config); // the shapes a checkpoint of this config can have
        ObjectNode root = config.architecture().equals(Architecture.GPT2) ? gpt2(config) : llama(config);
        try {
            AtomicFiles.writeString(file, JSON.writeValueAsString(root) + "\n");
        } catch (JacksonException e) {
            throw new FormatException(file, "cannot encode config: " + e.getOriginalMessage());
        }
    }

    private static ObjectNode llama(ModelConfig config) {
        String type = config.architecture().name();
        ObjectNode root = JSON.createObjectNode();
        root.putArray("architectures").add(type.equals("llama") ? "LlamaForCausalLM" : "Qwen2ForCausalLM");
        root.put("model_type", type);
        root.put("hidden_act", "silu");
        root.put("num_hidden_layers", config.layers());
        root.put("num_attention_heads", config.heads());
        root.put("num_key_value_heads", config.kvHeads());
        root.put("hidden_size", config.embd());
        root.put("intermediate_size", config.mlpHidden());
        root.put("max_position_embeddings", config.contextLength());
        root.put("vocab_size", config.vocabSize());
        root.put("rms_norm_eps", config.normEps());
        root.put("rope_theta", config.architecture().rope().base());
        root.put("tie_word_embeddings", config.tiedOutput());
        return root;
    }

    private static ObjectNode gpt2(ModelConfig config) {
        ObjectNode root = JSON.createObjectNode();
        root.putArray("architectures").add("GPT2LMHeadModel");
        root.put("model_type", "gpt2");
        root.put("activation_function", "gelu_new");
        root.put("n_layer", config.layers());
        root.put("n_head", config.heads());
        root.put("n_embd", config.embd());
        if (config.mlpHidden() != 4 * config.embd()) {
            root.put("n_inner", config.mlpHidden());
        }
        root.put("n_positions", config.contextLength());
        root.put("n_ctx", config.contextLength());
        root.put("vocab_size", config.vocabSize());
        root.put("layer_norm_epsilon", config.normEps());
        root.put("tie_word_embeddings", true);
        return root;
    }
}
