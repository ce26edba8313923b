package dev.jgpt.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every kind of bad request gets OpenAI's error object with the right status, and the server goes on serving. */
class ApiErrorsTest {
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

    /** The error object of a response with this status: message, type, param and code all present. */
    static JsonNode error(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        JsonNode error = TestServer.json(response).get("error");
        assertThat(error).isNotNull();
        assertThat(error.has("message") && error.has("type") && error.has("param") && error.has("code")).isTrue();
        assertThat(error.get("message").asText()).isNotBlank().doesNotContain("Exception").doesNotContain("\tat ");
        return error;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "malformed JSON            | {\"prompt\": \"a\",                                   | ",
        "not an object             | [1, 2]                                                 | ",
        "empty body                |                                                        | ",
        "prompt missing            | {\"max_tokens\": 3}                                    | prompt",
        "prompt of wrong type      | {\"prompt\": 12}                                       | prompt",
        "token id out of range     | {\"prompt\": [1, 99999]}                               | prompt",
        "batch of prompts          | {\"prompt\": [\"a\", \"b\"]}                           | prompt",
        "temperature as string     | {\"prompt\": \"a\", \"temperature\": \"hot\"}          | temperature",
        "temperature above 2       | {\"prompt\": \"a\", \"temperature\": 2.5}              | temperature",
        "negative temperature      | {\"prompt\": \"a\", \"temperature\": -1}               | temperature",
        "max_tokens fractional     | {\"prompt\": \"a\", \"max_tokens\": 1.5}               | max_tokens",
        "max_tokens negative       | {\"prompt\": \"a\", \"max_tokens\": -1}                | max_tokens",
        "top_p above 1             | {\"prompt\": \"a\", \"top_p\": 1.5}                    | top_p",
        "stream not boolean        | {\"prompt\": \"a\", \"stream\": \"yes\"}               | stream",
        "stop of wrong type        | {\"prompt\": \"a\", \"stop\": 5}                       | stop",
        "presence penalty too big  | {\"prompt\": \"a\", \"presence_penalty\": 3}           | presence_penalty",
        "seed not an integer       | {\"prompt\": \"a\", \"seed\": \"x\"}                  | seed",
        "n above 1                 | {\"prompt\": \"a\", \"n\": 2}                          | n",
        "logprobs above 20         | {\"prompt\": \"a\", \"logprobs\": 21}                  | logprobs",
    })
    void badCompletionRequestsAre400NamingTheField(String what, String body, String param) {
        JsonNode error = error(server.post("/v1/completions", body == null ? "" : body), 400);
        assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
        if (param != null) {
            assertThat(error.get("param").asText()).isEqualTo(param);
            assertThat(error.get("message").asText()).contains(param);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "messages missing          | {\"max_tokens\": 3}                                                      | messages",
        "messages not an array     | {\"messages\": \"hi\"}                                                   | messages",
        "unknown role              | {\"messages\": [{\"role\": \"wizard\", \"content\": \"hi\"}]}            | messages[0].role",
        "content of wrong type     | {\"messages\": [{\"role\": \"user\", \"content\": 3}]}                   | messages[0].content",
        "top_logprobs without flag | {\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"top_logprobs\": 2} | top_logprobs",
        "logprobs not boolean      | {\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"logprobs\": 2}     | logprobs",
    })
    void badChatRequestsAre400NamingTheField(String what, String body, String param) {
        JsonNode error = error(server.post("/v1/chat/completions", body), 400);
        assertThat(error.get("param").asText()).isEqualTo(param);
    }

    @Test
    void aPromptLongerThanTheContextIs400() {
        JsonNode error = error(server.post("/v1/completions", "{\"prompt\": \"" + "a".repeat(1100) + "\"}"), 400);
        assertThat(error.get("code").asText()).isEqualTo("context_length_exceeded");
        assertThat(error.get("message").asText()).contains("1100").contains("1024");
    }

    @Test
    void aBodyPastTheLimitIs413() {
        String big = "{\"prompt\": \"a\", \"padding\": \"" + "x".repeat(70 * 1024) + "\"}";
        assertThat(error(server.post("/v1/completions", big), 413).get("message").asText()).contains("65536");
    }

    @Test
    void unknownRoutesAre404() {
        assertThat(error(server.get("/v1/nothing"), 404).get("message").asText()).contains("/v1/nothing");
        assertThat(error(server.get("/v1/completions"), 404).get("code").asText()).isEqualTo("not_found");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "unknown top-level field   | /v1/completions      | {\"prompt\": \"a\", \"whatever\": [1]}                                           | whatever               | unknown field",
        "best_of                   | /v1/completions      | {\"prompt\": \"a\", \"best_of\": 1}                                              | best_of                | not supported yet",
        "legacy functions          | /v1/chat/completions | {\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"functions\": []}   | functions              | send 'tools' instead",
        "legacy function_call      | /v1/chat/completions | {\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"function_call\": \"auto\"} | function_call  | legacy",
        "unknown message field     | /v1/chat/completions | {\"messages\": [{\"role\": \"user\", \"content\": \"hi\", \"nom\": \"x\"}]}     | messages[0].nom        | unknown field",
        "unknown tool field        | /v1/chat/completions | {\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"f\", \"x\": 1}}]} | tools[0].function.x | unknown field",
        "unknown content part field| /v1/chat/completions | {\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"text\", \"text\": \"hi\", \"x\": 1}]}]} | messages[0].content[0].x | unknown field",
        "unknown stream option     | /v1/completions      | {\"prompt\": \"a\", \"stream_options\": {\"include_usage\": true, \"more\": 1}} | stream_options.more    | unknown field",
        "unknown tokenize field    | /tokenize            | {\"content\": \"a\", \"with_pieces\": true}                                        | with_pieces            | unknown field",
        "unknown detokenize field  | /detokenize          | {\"tokens\": [1], \"x\": 1}                                                        | x                      | unknown field",
        "unknown explain field     | /v1/explain          | {\"prompt\": \"a\", \"x\": 1}                                                    | x                      | unknown field",
    })
    void fieldsTheServerDoesNotHonourAre400NamingThem(String what, String path, String body, String param, String says) {
        JsonNode error = error(server.post(path, body), 400);
        assertThat(error.get("param").asText()).isEqualTo(param);
        assertThat(error.get("message").asText()).contains(param).contains(says);
    }

    @Test
    void theReadmeListsExactlyTheFieldsEachObjectAccepts() throws java.io.IOException {
        List<String> readme = java.nio.file.Files.readAllLines(Path.of("../README.md"));
        for (RequestShape shape : RequestShape.values()) {
            String row = readme.stream().filter(line -> line.startsWith("| `" + shape.where() + "` |")).findFirst()
                    .orElseThrow(() -> new AssertionError("README.md has no row for " + shape.where()));
            String fields = row.substring(row.indexOf("` |") + 3);
            List<String> listed = java.util.regex.Pattern.compile("`([a-z_]+)`").matcher(fields).results().map(m -> m.group(1)).toList();
            assertThat(listed).as(shape.where()).containsExactlyElementsOf(shape.accepted());
        }
    }

    @Test
    void textOutsideTheVocabularyIs400NotAServerError() {
        JsonNode error = error(server.post("/v1/completions", "{\"prompt\": \"caf\\u00e9\"}"), 400);
        assertThat(error.get("message").asText()).contains("vocabulary");
    }

    @Test
    void aBadRequestDoesNotDisturbAGoodOneInFlight() {
        var good = java.util.concurrent.CompletableFuture.supplyAsync(() -> server.stream("/v1/completions",
                "{\"prompt\": \"The\", \"max_tokens\": 200, \"temperature\": 0, \"stream\": true}"));
        for (int i = 0; i < 20; i++) {
            error(server.post("/v1/completions", "{\"prompt\": [1, -5]}"), 400);
            error(server.post("/v1/completions", "{oops"), 400);
        }
        var data = good.join();
        assertThat(data.getLast()).isEqualTo("[DONE]");
        assertThat(TestServer.json(data.get(data.size() - 2)).at("/choices/0/finish_reason").asText()).isEqualTo("length");
    }

    @Test
    void theApiKeyIsRequiredWhenSetExceptForHealth(@TempDir Path other) {
        try (TestServer keyed = TestServer.start(modelDir, 1, 1, "s3cret")) {
            String body = "{\"prompt\": \"a\", \"max_tokens\": 1}";
            assertThat(error(keyed.post("/v1/completions", body), 401).get("code").asText()).isEqualTo("invalid_api_key");
            error(keyed.post("/v1/completions", body, "Authorization", "Bearer wrong"), 401);
            error(keyed.get("/v1/models", "Authorization", "s3cret"), 401);
            assertThat(keyed.post("/v1/completions", body, "Authorization", "Bearer s3cret").statusCode()).isEqualTo(200);
            assertThat(keyed.get("/health").statusCode()).isEqualTo(200);
        }
    }
}
