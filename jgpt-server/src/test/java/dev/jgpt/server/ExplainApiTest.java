package dev.jgpt.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jgpt.convert.RandomModel;
import dev.jgpt.generate.LanguageModel;
import dev.jgpt.inspect.Explainer;
import dev.jgpt.inspect.ExplanationJson;
import dev.jgpt.model.ModelConfig;
import dev.jgpt.tensor.DType;
import dev.jgpt.tokenizer.CharTokenizer;
import dev.jgpt.tokenizer.TokenizerJson;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code POST /v1/explain} through a real HTTP client: the document equals the core's
 * {@link Explainer} run on the same model apart, its logprobs equal what {@code /v1/completions}
 * reports for the same tokens, it runs beside streaming completions without disturbing them,
 * and bad requests get OpenAI's error shape.
 */
class ExplainApiTest {
    @TempDir
    static Path modelDir;
    static TestServer server;
    /** The same model opened apart: the server's Transformer belongs to its scheduler. */
    static LanguageModel reference;

    @BeforeAll
    static void start() {
        server = TestServer.start(modelDir, 2, 8, null);
        reference = LanguageModel.open(modelDir);
    }

    @AfterAll
    static void stop() {
        server.close();
        reference.close();
    }

    private static JsonNode explain(String body) {
        HttpResponse<String> response = server.post("/v1/explain", body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return TestServer.json(response);
    }

    /** The document the core writes for {@code ids}, from the reference model. */
    private static JsonNode direct(int[] ids, int topK) {
        return TestServer.json(ExplanationJson.write(Explainer.explain(reference.transformer(), reference.tokenizer(),
                "test-model", ids, topK)));
    }

    @Test
    void theDocumentIsTheExplainersAndItsAttentionIsCausalRowsOfOne() {
        int[] ids = reference.tokenizer().encodeSequence("The quick brown fox");
        JsonNode got = explain("{\"prompt\": \"The quick brown fox\", \"top_k\": 5}");
        assertSameNumbers(got, direct(ids, 5), "");

        ModelConfig c = reference.config();
        int t = ids.length;
        assertThat(got.get("tokens").size()).isEqualTo(t);
        assertThat(got.get("logprobs").size()).isEqualTo(t - 1);
        assertThat(got.get("positions").size()).isEqualTo(t);
        assertThat(got.at("/positions/0/top").size()).isEqualTo(5);
        assertThat(got.get("logit_lens").size()).isEqualTo(c.layers());
        JsonNode attention = got.get("attention");
        assertThat(attention.size()).isEqualTo(c.layers());
        for (JsonNode layer : attention) {
            assertThat(layer.size()).isEqualTo(c.heads());
            for (JsonNode head : layer) {
                assertThat(head.size()).isEqualTo(t);
                for (int q = 0; q < t; q++) {
                    JsonNode row = head.get(q);
                    assertThat(row.size()).isEqualTo(t);
                    double sum = 0;
                    for (int k = 0; k < t; k++) {
                        if (k > q) {
                            assertThat(row.get(k).asDouble()).as("query %d key %d is in the future", q, k).isZero();
                        }
                        assertThat(row.get(k).asDouble()).isBetween(0.0, 1.0);
                        sum += row.get(k).asDouble();
                    }
                    assertThat(sum).isCloseTo(1.0, within(1e-4));
                }
            }
        }
    }

    @Test
    void defaultTopKIsTenAndTokenIdsWork() {
        int[] ids = reference.tokenizer().encode("Pack my box");
        String list = Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(","));
        JsonNode got = explain("{\"tokens\": [" + list + "]}");
        assertThat(got.at("/next/top").size()).isEqualTo(10);
        assertSameNumbers(got, direct(ids, 10), "");
    }

    @Test
    void logprobsEqualTheCompletionsLogprobsForTheSameTokens() {
        String prompt = "The lazy dog";
        JsonNode completion = TestServer.json(server.post("/v1/completions",
                "{\"prompt\": \"" + prompt + "\", \"max_tokens\": 8, \"temperature\": 0, \"logprobs\": 1}"));
        JsonNode lp = completion.at("/choices/0/logprobs");
        int[] promptIds = reference.tokenizer().encodeSequence(prompt);
        List<Integer> all = new ArrayList<>(Arrays.stream(promptIds).boxed().toList());
        lp.get("token_ids").forEach(id -> all.add(id.asInt()));
        assertThat(all).hasSize(promptIds.length + 8);
        String list = all.stream().map(String::valueOf).collect(Collectors.joining(","));
        JsonNode explained = explain("{\"tokens\": [" + list + "]}");
        JsonNode logprobs = explained.get("logprobs");
        // logprobs[p] is the log-probability of token p+1 given tokens 0..p
        for (int i = 0; i < lp.get("tokens").size(); i++) {
            assertThat(logprobs.get(promptIds.length - 1 + i).asDouble())
                    .as("generated token %d", i).isCloseTo(lp.get("token_logprobs").get(i).asDouble(), within(1e-4));
        }
    }

    @Test
    void explainingBesideStreamingCompletionsDisturbsNeither() {
        String body = "{\"prompt\": \"Sphinx of black quartz\", \"max_tokens\": 150, \"temperature\": 0}";
        String alone = TestServer.json(server.post("/v1/completions", body)).at("/choices/0/text").asText();
        CompletableFuture<String> a = CompletableFuture.supplyAsync(() -> streamedText(body.replace("}", ", \"stream\": true}")));
        CompletableFuture<String> b = CompletableFuture.supplyAsync(() -> streamedText(body.replace("}", ", \"stream\": true}")));
        int[] ids = reference.tokenizer().encodeSequence("judge my vow");
        JsonNode expected = direct(ids, 3);
        for (int i = 0; i < 4; i++) {
            assertSameNumbers(explain("{\"prompt\": \"judge my vow\", \"top_k\": 3}"), expected, "");
        }
        assertThat(a.join()).isEqualTo(alone);
        assertThat(b.join()).isEqualTo(alone);
    }

    private static String streamedText(String body) {
        StringBuilder text = new StringBuilder();
        for (String data : server.stream("/v1/completions", body)) {
            if (!data.equals("[DONE]")) {
                text.append(TestServer.json(data).at("/choices/0/text").asText());
            }
        }
        return text.toString();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "malformed JSON           | {oops                                       |",
        "neither prompt nor tokens| {\"top_k\": 3}                              | prompt",
        "both prompt and tokens   | {\"prompt\": \"a\", \"tokens\": [1]}        | tokens",
        "prompt not a string      | {\"prompt\": 3}                             | prompt",
        "tokens not an array      | {\"tokens\": \"abc\"}                       | tokens",
        "token id past the vocab  | {\"tokens\": [1, 99999]}                    | tokens",
        "token id not an integer  | {\"tokens\": [1, 2.5]}                      | tokens",
        "empty tokens             | {\"tokens\": []}                            | tokens",
        "empty prompt             | {\"prompt\": \"\"}                          | prompt",
        "top_k not an integer     | {\"prompt\": \"a\", \"top_k\": \"x\"}       | top_k",
        "top_k zero               | {\"prompt\": \"a\", \"top_k\": 0}           | top_k",
        "top_k too large          | {\"prompt\": \"a\", \"top_k\": 101}         | top_k",
    })
    void badRequestsAre400NamingTheField(String what, String body, String param) {
        JsonNode error = ApiErrorsTest.error(server.post("/v1/explain", body), 400);
        assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
        if (param != null) {
            assertThat(error.get("param").asText()).isEqualTo(param);
        }
    }

    @Test
    void aTextLongerThanTheContextIs400() {
        JsonNode error = ApiErrorsTest.error(server.post("/v1/explain", "{\"prompt\": \"" + "a".repeat(1100) + "\"}"), 400);
        assertThat(error.get("code").asText()).isEqualTo("context_length_exceeded");
        assertThat(error.get("message").asText()).contains("1100").contains("1024");
    }

    @Test
    void tooMuchAttentionForABrowserIs400(@TempDir Path wide) {
        // 24 layers × 32 heads: 300 tokens make 34.7 million attention weights, past the limit of 20 million
        CharTokenizer tokenizer = CharTokenizer.fromCorpus("ab");
        RandomModel.write(ModelConfig.gpt2(24, 32, 64, 1024, tokenizer.vocabSize()), DType.F32, 3L, wide);
        TokenizerJson.write(tokenizer, wide.resolve("tokenizer.json"));
        try (LanguageModel lm = LanguageModel.open(wide);
             ApiServer api = ApiServer.start(lm, new ServerSettings("127.0.0.1", 0, null, 1, 1, 64 * 1024, 1024, "wide"))) {
            var http = java.net.http.HttpClient.newHttpClient();
            var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + api.port() + "/v1/explain"))
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"prompt\": \"" + "ab".repeat(150) + "\"}")).build();
            JsonNode error = ApiErrorsTest.error(http.send(request, HttpResponse.BodyHandlers.ofString()), 400);
            assertThat(error.get("param").asText()).isEqualTo("prompt");
            assertThat(error.get("message").asText()).contains("300 tokens").contains("attention weights").contains("at most 227 tokens");
        } catch (java.io.IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void theApiKeyIsRequiredWhenSet() {
        try (TestServer keyed = TestServer.start(modelDir, 1, 1, "s3cret")) {
            String body = "{\"prompt\": \"ab\"}";
            ApiErrorsTest.error(keyed.post("/v1/explain", body), 401);
            assertThat(keyed.post("/v1/explain", body, "Authorization", "Bearer s3cret").statusCode()).isEqualTo(200);
        }
    }

    /** Same structure and text everywhere; numbers equal to 1e-5 (the same code on the same weights). */
    private static void assertSameNumbers(JsonNode got, JsonNode expected, String at) {
        if (expected.isNumber()) {
            assertThat(got.isNumber()).as(at).isTrue();
            assertThat(got.asDouble()).as(at).isCloseTo(expected.asDouble(), within(1e-5));
        } else if (expected.isArray()) {
            assertThat(got.size()).as(at).isEqualTo(expected.size());
            for (int i = 0; i < expected.size(); i++) {
                assertSameNumbers(got.get(i), expected.get(i), at + "/" + i);
            }
        } else if (expected.isObject()) {
            assertThat(got.isObject()).as(at).isTrue();
            assertThat(iterable(got.fieldNames())).as(at).containsExactlyElementsOf(iterable(expected.fieldNames()));
            for (Iterator<Map.Entry<String, JsonNode>> it = expected.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                assertSameNumbers(got.get(e.getKey()), e.getValue(), at + "/" + e.getKey());
            }
        } else {
            assertThat(got).as(at).isEqualTo(expected);
        }
    }

    private static List<String> iterable(Iterator<String> names) {
        List<String> out = new ArrayList<>();
        names.forEachRemaining(out::add);
        return out;
    }
}
