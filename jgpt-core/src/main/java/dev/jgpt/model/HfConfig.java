package dev.jgpt.model;

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
import java.nio.file.Path;

/** Hugging Face {@code config.json} for GPT-2 family models, read and written. */
public final class HfConfig {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private HfConfig() {}

    public static ModelConfig read(Path file) {
        JsonNode root = JsonFiles.readObject(file, "no such file (a Hugging Face model folder has a config.json)");
        String type = root.path("model_type").asText("gpt2");
        if (!type.equals("gpt2")) {
            throw new FormatException(file, "model_type " + Quoted.of(type) + " is not supported here (supported: gpt2)");
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

    private static int intField(Path file, JsonNode root, String name) {
        JsonNode node = root.get(name);
        if (node == null || !node.canConvertToInt()) {
            throw new FormatException(file, "field '" + name + "' is "
                    + (node == null ? "missing" : "not an integer: " + Quoted.of(node.toString())));
        }
        return node.asInt();
    }

    /** Writes a config.json that Hugging Face transformers loads as a GPT2LMHeadModel. */
    public static void write(ModelConfig config, Path file) {
        if (!config.architecture().equals(Architecture.GPT2) || config.kvHeads() != config.heads()) {
            throw new JgptException("config.json is written for GPT-2 models only, not " + config.architecture());
        }
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
        try {
            AtomicFiles.writeString(file, JSON.writeValueAsString(root) + "\n");
        } catch (JacksonException e) {
            throw new FormatException(file, "cannot encode config: " + e.getOriginalMessage());
        }
    }
}
