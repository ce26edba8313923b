package dev.jgpt.generate;

import dev.jgpt.JgptException;
import dev.jgpt.format.GgufMetadata;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A model's chat templates (Jinja sources) by name, as transformers keeps them: one, named
 * "default", or several ("default", "tool_use", ...).
 *
 * @param byName each template's Jinja source by its name
 */
public record ChatTemplateSources(Map<String, String> byName) {
    /** The name of the template used unless a request has tools. */
    public static final String DEFAULT = "default";
    /** The name of the template used for a request with tools, when the model has one. */
    public static final String TOOL_USE = "tool_use";

    /** Copies {@code byName}, which must hold no null name or source. */
    public ChatTemplateSources {
        byName = Map.copyOf(byName);
    }

    /**
     * A model with one template.
     *
     * @param source the template's Jinja source
     * @return that source under the name {@link #DEFAULT}
     */
    public static ChatTemplateSources of(String source) {
        return new ChatTemplateSources(Map.of(DEFAULT, source));
    }

    /**
     * A GGUF file's templates: {@code tokenizer.chat_template}, and {@code tokenizer.chat_template.tool_use}
     * where llama.cpp's converter stored the tool-use variant.
     *
     * @param metadata the file's metadata
     * @return the templates found, or empty when the file has neither key
     */
    @SuppressWarnings("exports")
    public static Optional<ChatTemplateSources> of(GgufMetadata metadata) {
        Map<String, String> byName = new LinkedHashMap<>();
        metadata.optionalString("tokenizer.chat_template").ifPresent(s -> byName.put(DEFAULT, s));
        metadata.optionalString("tokenizer.chat_template." + TOOL_USE).ifPresent(s -> byName.put(TOOL_USE, s));
        return byName.isEmpty() ? Optional.empty() : Optional.of(new ChatTemplateSources(byName));
    }

    /**
     * The template transformers' {@code apply_chat_template} takes: "tool_use" when the request has
     * tools and the model has it, else "default".
     *
     * @param withTools whether the request offers tools
     * @return the selected template's Jinja source
     * @throws JgptException when the model has no template of that name
     */
    public String select(boolean withTools) {
        if (withTools && byName.containsKey(TOOL_USE)) {
            return byName.get(TOOL_USE);
        }
        String source = byName.get(DEFAULT);
        if (source == null) {
            throw new JgptException("the model has several chat templates (" + String.join(", ", byName.keySet().stream().sorted().toList())
                    + ") and none named \"default\"");
        }
        return source;
    }

    /**
     * Whether every template is empty (then the model has none to speak of).
     *
     * @return true when each source is empty or only white space
     */
    public boolean isBlank() {
        return byName.values().stream().allMatch(String::isBlank);
    }
}
