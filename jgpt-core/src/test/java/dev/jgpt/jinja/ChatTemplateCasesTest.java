package dev.jgpt.jinja;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jgpt.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Real chat templates of many model families, rendered as Python's jinja2 renders them under
 * Hugging Face's {@code apply_chat_template} (shared/reference/chat_templates): the same text,
 * byte for byte, and the same failures.
 */
class ChatTemplateCasesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The time the reference was rendered at. */
    private static final LocalDateTime NOW = LocalDateTime.of(2026, 1, 15, 0, 0, 0);

    @Test
    void everyCaseRendersAsJinja2RendersIt() throws IOException {
        Path cases = SharedData.require("reference/chat_templates/cases.jsonl");
        Map<String, String> templates = new LinkedHashMap<>();
        for (JsonNode t : JSON.readTree(cases.resolveSibling("templates.json").toFile())) {
            templates.put(t.get("id").asText(), t.get("template").asText());
        }
        List<String> failures = new ArrayList<>();
        int count = 0;
        for (String line : Files.readAllLines(cases)) {
            JsonNode c = JSON.readTree(line);
            count++;
            String outcome = outcome(templates.get(c.get("template_id").asText()), c);
            String expected = expected(c);
            if (!outcome.equals(expected)) {
                failures.add(c.get("id").asText() + "\n  expected: " + JSON.writeValueAsString(expected)
                        + "\n  got:      " + JSON.writeValueAsString(outcome));
            }
        }
        assertThat(count).isGreaterThan(300);
        assertThat(failures).as(failures.size() + " of " + count + " cases differ").isEmpty();
    }

    /** What the renderer makes of a case: its text, the message of its raise_exception, or the Python error and its message. */
    private static String outcome(String template, JsonNode c) {
        Map<String, Object> variables = new LinkedHashMap<>();
        variables.put("messages", JSON.convertValue(c.get("messages"), List.class));
        variables.put("tools", c.get("tools").isNull() ? null : JSON.convertValue(c.get("tools"), List.class));
        variables.put("documents", null);
        variables.put("add_generation_prompt", c.get("add_generation_prompt").asBoolean());
        variables.put("bos_token", c.get("bos_token").asText());
        variables.put("eos_token", c.get("eos_token").asText());
        if (c.has("extra_context")) {
            variables.putAll(JSON.convertValue(c.get("extra_context"), Map.class));
        }
        try {
            return "OUTPUT " + Jinja.render(template, variables, NOW);
        } catch (JinjaException e) {
            return e.raised().map(m -> "RAISED " + m).or(() -> e.pythonError().map(m -> "ERROR " + m)).orElse("FAILED " + e.getMessage());
        }
    }

    private static String expected(JsonNode c) {
        if (c.has("expected_output")) {
            return "OUTPUT " + c.get("expected_output").asText();
        }
        JsonNode error = c.get("expected_error");
        return error.get("from_raise_exception").asBoolean() ? "RAISED " + error.get("message").asText()
                : "ERROR " + error.get("type").asText() + ": " + error.get("message").asText();
    }
}
