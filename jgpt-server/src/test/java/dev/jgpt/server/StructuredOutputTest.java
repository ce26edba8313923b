package dev.jgpt.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code response_format} holds the answers of a random model to JSON, and a schema the server cannot enforce is a 400. */
class StructuredOutputTest {
    private static final String SCHEMA = "{\"type\": \"object\", \"properties\": {\"answer\": {\"type\": \"string\"},"
            + " \"score\": {\"type\": \"integer\"}, \"sure\": {\"type\": \"boolean\"}}, \"required\": [\"answer\", \"score\", \"sure\"],"
            + " \"additionalProperties\": false}";

    @TempDir
    static Path modelDir;
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(modelDir, 2, 4, null);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void jsonSchemaAnswersParseAndKeepTheSchema() {
        for (int seed = 0; seed < 6; seed++) {
            String body = "{\"prompt\": \"The\", \"max_tokens\": 60, \"temperature\": 1, \"seed\": " + seed
                    + ", \"response_format\": {\"type\": \"json_schema\", \"json_schema\": {\"name\": \"a\", \"strict\": true, \"schema\": "
                    + SCHEMA + "}}}";
            String text = TestServer.json(server.post("/v1/completions", body)).at("/choices/0/text").asText();
            JsonNode doc = TestServer.json(text);
            assertThat(doc.get("answer").isTextual()).as(text).isTrue();
            assertThat(doc.get("score").isIntegralNumber()).as(text).isTrue();
            assertThat(doc.get("sure").isBoolean()).as(text).isTrue();
            assertThat(doc.size()).as(text).isEqualTo(3);
        }
    }

    @Test
    void aChatInJsonObjectModeAnswersAnObjectAndStopsWhenItIsClosed() {
        String body = "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"max_tokens\": 40, \"seed\": 3,"
                + " \"response_format\": {\"type\": \"json_object\"}}";
        JsonNode answer = TestServer.json(server.post("/v1/chat/completions", body));
        String text = answer.at("/choices/0/message/content").asText();
        assertThat(TestServer.json(text).isObject()).as(text).isTrue();
        assertThat(answer.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
    }

    @Test
    void aSchemaKeywordTheAutomatonCannotEnforceIs400NamingIt() {
        ObjectNode error = (ObjectNode) ApiErrorsTest.error(server.post("/v1/completions", "{\"prompt\": \"a\", \"response_format\": "
                + "{\"type\": \"json_schema\", \"json_schema\": {\"name\": \"a\", \"schema\": {\"type\": \"string\", \"pattern\": \"^x\"}}}}"), 400);
        assertThat(error.get("param").asText()).isEqualTo("response_format.json_schema.schema");
        assertThat(error.get("message").asText()).contains("pattern");
        JsonNode unknownType = ApiErrorsTest.error(server.post("/v1/completions", "{\"prompt\": \"a\", \"response_format\": {\"type\": \"yaml\"}}"), 400);
        assertThat(unknownType.get("param").asText()).isEqualTo("response_format.type");
    }

    @Test
    void aGbnfGrammarHoldsTheAnswerAndABadOneIs400() {
        for (int seed = 0; seed < 4; seed++) {
            String body = "{\"prompt\": \"The\", \"max_tokens\": 30, \"seed\": " + seed
                    + ", \"grammar\": \"root ::= (\\\"yes\\\" | \\\"no\\\") \\\" \\\" [0-9]{1,3}\\n\"}";
            String text = TestServer.json(server.post("/v1/completions", body)).at("/choices/0/text").asText();
            assertThat(text).matches("(yes|no) [0-9]{1,3}");
        }
        JsonNode error = ApiErrorsTest.error(server.post("/v1/completions", "{\"prompt\": \"a\", \"grammar\": \"root ::= item\"}"), 400);
        assertThat(error.get("param").asText()).isEqualTo("grammar");
        assertThat(error.get("message").asText()).contains("item");
    }
}
