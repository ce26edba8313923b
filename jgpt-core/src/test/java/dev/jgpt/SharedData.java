package dev.jgpt;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The reference data beside the project ({@code ../shared}); tests that need it skip when it is absent. */
public final class SharedData {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SharedData() {}

    /** {@code ../shared/<relative>}, or the test is skipped with a message saying what is missing. */
    public static Path require(String relative) {
        String root = System.getProperty("jgpt.shared", "../shared");
        Path path = Path.of(root).resolve(relative).normalize();
        assumeTrue(Files.exists(path), "reference data not found: " + path + " (tests that compare against ../shared skip)");
        return path;
    }

    /**
     * The entry of a file of the chat-template references ({@code reference/chat_templates/<file>}, a JSON
     * array or JSON lines) whose {@code id} is {@code id}; the test skips where ../shared is absent.
     */
    public static JsonNode chatTemplateReference(String id, String file) {
        Path references = require("reference/chat_templates/" + file);
        try {
            List<String> docs = file.endsWith(".jsonl") ? Files.readAllLines(references) : List.of(Files.readString(references));
            for (String doc : docs) {
                JsonNode node = JSON.readTree(doc);
                for (JsonNode entry : node.isArray() ? node : List.of(node)) {
                    if (entry.path("id").asText().equals(id)) {
                        return entry;
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new AssertionError("no " + id + " in " + file);
    }

    /** The chat template {@code id} of the references ({@code templates.json}). */
    public static String chatTemplate(String id) {
        return chatTemplateReference(id, "templates.json").get("template").asText();
    }
}
