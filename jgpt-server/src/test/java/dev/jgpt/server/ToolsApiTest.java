package dev.jgpt.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jgpt.SharedData;
import dev.jgpt.generate.JinjaTemplate;
import dev.jgpt.tokenizer.CharTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Tools on a random model that carries Qwen 2.5's chat template (and Llama 3.1's and Mistral's for the forced call):
 * forced calls keep their schema, streams add up, a round trip renders.
 */
class ToolsApiTest {
    private static final String QWEN = "Qwen_Qwen2.5-7B-Instruct";
    private static final String TOOLS = "[{\"type\": \"function\", \"function\": {\"name\": \"get_weather\", \"description\": \"Weather\","
            + " \"parameters\": {\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\"}, \"unit\": {\"enum\": [\"c\", \"f\"]},"
            + " \"days\": {\"type\": \"integer\"}}, \"required\": [\"city\", \"unit\", \"days\"], \"additionalProperties\": false}}},"
            + " {\"type\": \"function\", \"function\": {\"name\": \"get_time\", \"parameters\": {\"type\": \"object\", \"properties\":"
            + " {\"zone\": {\"type\": \"string\"}}, \"required\": [\"zone\"], \"additionalProperties\": false}}}]";
    private static final String NAMED = "{\"type\": \"function\", \"function\": {\"name\": \"get_weather\"}}";
    private static final String USER = "\"messages\": [{\"role\": \"user\", \"content\": \"Weather in Paris?\"}]";

    @TempDir
    static Path modelDir;
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.withChatTemplate(modelDir, QWEN, null);
    }

    @AfterAll
    static void stop() {
        if (server != null) { // null where the start skipped: no ../shared beside the project
            server.close();
        }
    }

    @Test
    void requiredAndNamedChoicesMakeACallWhoseArgumentsKeepTheSchema() {
        for (String choice : List.of("\"required\"", NAMED)) {
            for (int seed = 0; seed < 4; seed++) {
                assertForcedCall(server, choice, seed);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"meta-llama_Llama-3.1-8B-Instruct",
            "Mistral-Nemo-Instruct-2407_mistralai_v3-tekken_template_modified_to_have_system_prompt_at_start"})
    void theCallIsForcedInEachFamilysForm(String templateId, @TempDir Path dir) {
        try (TestServer family = TestServer.withChatTemplate(dir, templateId, null)) {
            for (int seed = 0; seed < 2; seed++) {
                assertForcedCall(family, NAMED, seed);
            }
        }
    }

    /** A forced answer is one call of an offered function whose arguments keep its schema, and no content. */
    private static void assertForcedCall(TestServer on, String choice, int seed) {
        JsonNode message = answer(on, chat(choice, seed, false)).at("/choices/0/message");
        JsonNode calls = message.get("tool_calls");
        assertThat(calls.size()).as(message.toString()).isEqualTo(1);
        JsonNode call = calls.get(0);
        assertThat(call.get("id").asText()).startsWith("call_");
        assertThat(call.get("type").asText()).isEqualTo("function");
        String name = call.at("/function/name").asText();
        JsonNode arguments = TestServer.json(call.at("/function/arguments").asText());
        if (choice.equals(NAMED) || name.equals("get_weather")) {
            assertThat(name).isEqualTo("get_weather");
            assertThat(fieldNames(arguments)).as(arguments.toString()).isEqualTo(Set.of("city", "unit", "days"));
            assertThat(arguments.get("city").isTextual()).isTrue();
            assertThat(arguments.get("unit").asText()).isIn("c", "f");
            assertThat(arguments.get("days").isIntegralNumber()).as(arguments.toString()).isTrue();
        } else {
            assertThat(name).isEqualTo("get_time");
            assertThat(fieldNames(arguments)).isEqualTo(Set.of("zone"));
            assertThat(arguments.get("zone").isTextual()).isTrue();
        }
        assertThat(message.get("content").isNull()).as(message.toString()).isTrue();
    }

    @Test
    void aStreamAddsUpToTheAnswerGivenAtOnce() {
        for (String choice : List.of("\"required\"", "\"auto\"")) {
            for (int seed = 0; seed < 3; seed++) {
                JsonNode whole = answer(chat(choice, seed, false)).at("/choices/0");
                StringBuilder content = new StringBuilder();
                List<ObjectNode> calls = new ArrayList<>();
                String finish = null;
                for (String data : server.stream("/v1/chat/completions", chat(choice, seed, true))) {
                    if (data.equals("[DONE]")) {
                        break;
                    }
                    JsonNode choice0 = TestServer.json(data).at("/choices/0");
                    content.append(choice0.at("/delta/content").asText(""));
                    for (JsonNode delta : choice0.at("/delta/tool_calls")) {
                        int index = delta.get("index").asInt();
                        if (index == calls.size()) {
                            calls.add(TestServer.JSON.createObjectNode().put("name", delta.at("/function/name").asText()).put("arguments", ""));
                            assertThat(delta.get("id").asText()).startsWith("call_");
                        }
                        calls.get(index).put("arguments", calls.get(index).get("arguments").asText() + delta.at("/function/arguments").asText(""));
                    }
                    if (!choice0.get("finish_reason").isNull()) {
                        finish = choice0.get("finish_reason").asText();
                    }
                }
                assertThat(finish).isEqualTo(whole.get("finish_reason").asText());
                assertThat(content.toString()).isEqualTo(whole.at("/message/content").asText(""));
                List<ObjectNode> expected = new ArrayList<>();
                for (JsonNode call : whole.at("/message/tool_calls")) {
                    expected.add(TestServer.JSON.createObjectNode().put("name", call.at("/function/name").asText())
                            .put("arguments", call.at("/function/arguments").asText()));
                }
                assertThat(calls).as(choice + " seed " + seed).isEqualTo(expected);
            }
        }
    }

    @Test
    void aCallAndItsResultGoBackThroughTheTemplateAsJinja2RendersThem() {
        JsonNode reference = SharedData.chatTemplateReference(QWEN + "/tools_call_and_result", "cases.jsonl");
        String expected = reference.get("expected_output").asText();
        CharTokenizer tokenizer = CharTokenizer.fromCorpus(expected);
        RequestParser parser = new RequestParser(tokenizer, expected.length() + 8,
                new JinjaTemplate(SharedData.chatTemplate(QWEN), "", "<|im_end|>"));
        ObjectNode body = TestServer.JSON.createObjectNode();
        body.set("messages", reference.get("messages").deepCopy());
        body.set("tools", reference.get("tools"));
        // OpenAI sends a call's arguments as a JSON string; the reference gives the template the object it spells
        for (JsonNode message : body.get("messages")) {
            for (JsonNode call : message.path("tool_calls")) {
                ObjectNode function = (ObjectNode) call.get("function");
                function.put("arguments", function.get("arguments").toString());
            }
        }
        assertThat(tokenizer.decode(parser.chat(body).prompt())).isEqualTo(expected);
    }

    @Test
    void anAnswersMessageGoesBackAsItCameWithTheToolsResult() {
        JsonNode message = answer(chat("\"required\"", 1, false)).at("/choices/0/message");
        String id = message.at("/tool_calls/0/id").asText();
        String body = "{\"max_tokens\": 3, \"tools\": " + TOOLS + ", \"messages\": [{\"role\": \"user\", \"content\": \"Weather in Paris?\"}, "
                + message + ", {\"role\": \"tool\", \"tool_call_id\": \"" + id + "\", \"content\": \"18 degrees\"}]}";
        int withResult = answer(body).at("/usage/prompt_tokens").asInt();
        int without = answer(chat("\"auto\"", 1, false).replace("\"max_tokens\": 120", "\"max_tokens\": 3")).at("/usage/prompt_tokens").asInt();
        // the call's JSON and the result (in the template's <tool_response> tags) are in the prompt
        assertThat(withResult).isGreaterThan(without + message.at("/tool_calls/0/function/arguments").asText().length() + "18 degrees".length());
    }

    @Test
    void noneShowsTheModelNoTools() {
        int plain = answer("{" + USER + ", \"max_tokens\": 1}").at("/usage/prompt_tokens").asInt();
        int none = answer("{" + USER + ", \"max_tokens\": 1, \"tool_choice\": \"none\", \"tools\": " + TOOLS + "}").at("/usage/prompt_tokens").asInt();
        int auto = answer("{" + USER + ", \"max_tokens\": 1, \"tools\": " + TOOLS + "}").at("/usage/prompt_tokens").asInt();
        assertThat(none).isEqualTo(plain);
        assertThat(auto).isGreaterThan(plain);
    }

    @Test
    void badToolsAre400NamingTheField() {
        assertThat(param("{" + USER + ", \"tools\": " + TOOLS + ", \"tool_choice\": {\"type\": \"function\", \"function\": {\"name\": \"fly\"}}}"))
                .isEqualTo("tool_choice.function.name");
        assertThat(param("{" + USER + ", \"tool_choice\": \"required\"}")).isEqualTo("tool_choice");
        assertThat(param("{" + USER + ", \"tools\": " + TOOLS + ", \"tool_choice\": \"sometimes\"}")).isEqualTo("tool_choice");
        assertThat(param("{" + USER + ", \"tool_choice\": \"required\", \"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"f\","
                + " \"parameters\": {\"type\": \"string\", \"pattern\": \"x\"}}}]}")).isEqualTo("tools[0].function.parameters");
        assertThat(param("{" + USER + ", \"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"a b\"}}]}")).isEqualTo("tools[0].function.name");
        assertThat(param("{" + USER + ", \"tools\": [{\"type\": \"retrieval\", \"function\": {\"name\": \"f\"}}]}")).isEqualTo("tools[0].type");
        assertThat(param("{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}, {\"role\": \"assistant\", \"tool_calls\": [{\"id\": \"c\","
                + " \"type\": \"function\", \"function\": {\"name\": \"f\", \"arguments\": \"{nope\"}}]}]}"))
                .isEqualTo("messages[1].tool_calls[0].function.arguments");
    }

    private static String param(String body) {
        return ApiErrorsTest.error(server.post("/v1/chat/completions", body), 400).get("param").asText();
    }

    private static String chat(String choice, int seed, boolean stream) {
        return "{" + USER + ", \"tools\": " + TOOLS + ", \"tool_choice\": " + choice + ", \"max_tokens\": 120, \"seed\": " + seed
                + ", \"stream\": " + stream + "}";
    }

    private static JsonNode answer(String body) {
        return answer(server, body);
    }

    private static JsonNode answer(TestServer on, String body) {
        var response = on.post("/v1/chat/completions", body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return TestServer.json(response);
    }

    private static Set<String> fieldNames(JsonNode object) {
        return Set.copyOf(StreamSupport.stream(((Iterable<String>) object::fieldNames).spliterator(), false).toList());
    }
}
