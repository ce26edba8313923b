package dev.jgpt.generate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jgpt.format.FormatException;
import dev.jgpt.format.JsonFiles;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The chat templates of a Hugging Face model folder, where transformers finds them:
 * {@code chat_template.jinja} when the folder has it (newer transformers save the template there),
 * else {@code tokenizer_config.json}'s {@code chat_template}, a string or a list of
 * {@code {"name", "template"}}.
 */
public final class HfChatTemplates {
    /** The file that holds the template on its own, which wins over {@link #TOKENIZER_CONFIG}'s. */
    public static final String JINJA_FILE = "chat_template.jinja";
    /** The tokenizer's settings, whose {@code chat_template} holds the template or templates. */
    public static final String TOKENIZER_CONFIG = "tokenizer_config.json";

    private HfChatTemplates() {
    }

    /**
     * The folder's templates, if it has any.
     *
     * @param folder the model's folder
     * @return the templates, or empty when neither file holds one
     * @throws dev.jgpt.JgptException naming the file when it cannot be read or parsed, or its
     *                                {@code chat_template} has the wrong shape
     */
    public static Optional<ChatTemplateSources> read(Path folder) {
        Path jinja = folder.resolve(JINJA_FILE);
        if (Files.isRegularFile(jinja)) {
            return Optional.of(ChatTemplateSources.of(text(jinja)));
        }
        Path config = folder.resolve(TOKENIZER_CONFIG);
        if (!Files.isRegularFile(config)) {
            return Optional.empty();
        }
        JsonNode templates = JsonFiles.readObject(config, "no such file").path("chat_template");
        if (templates.isMissingNode() || templates.isNull()) {
            return Optional.empty();
        }
        if (templates.isTextual()) {
            return Optional.of(ChatTemplateSources.of(templates.asText()));
        }
        if (!templates.isArray()) {
            throw new FormatException(config, "chat_template must be a string or a list of {\"name\", \"template\"}");
        }
        Map<String, String> byName = new LinkedHashMap<>();
        for (JsonNode t : templates) {
            if (!t.path("name").isTextual() || !t.path("template").isTextual()) {
                throw new FormatException(config, "chat_template entry " + byName.size() + " needs a string \"name\" and a string \"template\"");
            }
            byName.put(t.get("name").asText(), t.get("template").asText());
        }
        return byName.isEmpty() ? Optional.empty() : Optional.of(new ChatTemplateSources(byName));
    }

    private static String text(Path file) {
        try {
            return Files.readString(file);
        } catch (CharacterCodingException e) {
            throw new FormatException(file, "not UTF-8 text");
        } catch (IOException e) {
            throw new FormatException(file, "cannot read: " + e.getMessage(), e);
        }
    }
}
