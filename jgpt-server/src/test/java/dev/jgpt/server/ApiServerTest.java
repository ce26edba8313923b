package dev.jgpt.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jgpt.generate.ChatMessage;
import dev.jgpt.generate.ChatTemplate;
import dev.jgpt.generate.ContextOverflow;
import dev.jgpt.generate.Generation;
import dev.jgpt.generate.GenerationSettings;
import dev.jgpt.generate.LanguageModel;
import dev.jgpt.generate.TokenListener;
import dev.jgpt.model.KvCache;
import dev.jgpt.sampling.SamplerSettings;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The API through a real HTTP client against a running server, checked against the core's own generation. */
class ApiServerTest {
    @TempDir
    static Path modelDir;
    static TestServer server;
    /** The same model opened apart: a Transformer runs one forward pass at a time, and the server's is busy. */
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

    /** What {@code jgpt generate} writes for the prompt at temperature 0. */
    private static Generation greedy(String prompt, int maxTokens, List<String> stops) {
        return reference.generate(prompt, new GenerationSettings(maxTokens, SamplerSettings.greedy(), stops, ContextOverflow.STOP),
                TokenListener.NONE);
    }

    @Test
    void greedyCompletionEqualsTheGeneratorsOutput() {
        Generation expected = greedy("The quick brown", 24, List.of());
        HttpResponse<String> response = server.post("/v1/completions",
                "{\"model\": \"x\", \"prompt\": \"The quick brown\", \"max_tokens\": 24, \"temperature\": 0}");
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = TestServer.json(response);
        assertThat(body.get("object").asText()).isEqualTo("text_completion");
        assertThat(body.get("model").asText()).isEqualTo("test-model");
        JsonNode choice = body.get("choices").get(0);
        assertThat(choice.get("text").asText()).isEqualTo(expected.text());
        assertThat(choice.get("finish_reason").asText()).isEqualTo("length");
        assertThat(body.at("/usage/prompt_tokens").asInt()).isEqualTo(expected.promptTokens().length);
        assertThat(body.at("/usage/completion_tokens").asInt()).isEqualTo(24);
        assertThat(body.at("/usage/total_tokens").asInt()).isEqualTo(expected.promptTokens().length + 24);
    }

    @Test
    void promptAsTokenIdsAndStopStrings() {
        Generation full = greedy("Pack my", 30, List.of());
        // stop at a piece of text the model does write: the answer is cut before it
        String stop = full.text().substring(10, 12);
        Generation expected = greedy("Pack my", 30, List.of(stop));
        String ids = java.util.Arrays.stream(full.promptTokens()).mapToObj(Integer::toString).collect(Collectors.joining(","));
        JsonNode body = TestServer.json(server.post("/v1/completions",
                "{\"prompt\": [" + ids + "], \"max_tokens\": 30, \"temperature\": 0, \"stop\": [\"" + stop + "\"]}"));
        assertThat(body.at("/choices/0/text").asText()).isEqualTo(expected.text()).doesNotContain(stop);
        assertThat(body.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
    }

    @Test
    void streamedChunksAddUpToTheSameTextAndEndWithUsageAndDone() {
        Generation expected = greedy("over the", 20, List.of());
        List<String> data = server.stream("/v1/completions",
                "{\"prompt\": \"over the\", \"max_tokens\": 20, \"temperature\": 0, \"stream\": true, \"stream_options\": {\"include_usage\": true}}");
        assertThat(data.getLast()).isEqualTo("[DONE]");
        List<JsonNode> chunks = data.subList(0, data.size() - 1).stream().map(TestServer::json).toList();
        String text = chunks.stream().filter(c -> !c.get("choices").isEmpty())
                .map(c -> c.at("/choices/0/text").asText()).collect(Collectors.joining());
        assertThat(text).isEqualTo(expected.text());
        JsonNode usage = chunks.getLast();
        assertThat(usage.get("choices")).isEmpty();
        assertThat(usage.at("/usage/completion_tokens").asInt()).isEqualTo(20);
        assertThat(chunks.get(chunks.size() - 2).at("/choices/0/finish_reason").asText()).isEqualTo("length");
        assertThat(chunks.get(0).get("usage").isNull()).isTrue();
        assertThat(chunks).allSatisfy(c -> assertThat(c.get("id").asText()).isEqualTo(chunks.get(0).get("id").asText()));
    }

    @Test
    void chatRendersTheTemplateAndStreamsDeltas() {
        List<ChatMessage> messages = List.of(ChatMessage.system("Be brief."), ChatMessage.user("Who jumps?"));
        int[] prompt = ChatTemplate.PLAIN.encode(messages, reference.tokenizer());
        Generation expected = reference.generate(prompt, new GenerationSettings(12, SamplerSettings.greedy(),
                ChatTemplate.PLAIN.stops(), ContextOverflow.STOP), TokenListener.NONE);
        String request = "{\"messages\": [{\"role\": \"system\", \"content\": \"Be brief.\"}, {\"role\": \"user\", \"content\": "
                + "[{\"type\": \"text\", \"text\": \"Who \"}, {\"type\": \"text\", \"text\": \"jumps?\"}]}], "
                + "\"max_completion_tokens\": 12, \"temperature\": 0";
        JsonNode body = TestServer.json(server.post("/v1/chat/completions", request + "}"));
        assertThat(body.get("object").asText()).isEqualTo("chat.completion");
        assertThat(body.at("/choices/0/message/role").asText()).isEqualTo("assistant");
        assertThat(body.at("/choices/0/message/content").asText()).isEqualTo(expected.text());
        assertThat(body.at("/usage/prompt_tokens").asInt()).isEqualTo(prompt.length);

        List<String> data = server.stream("/v1/chat/completions", request + ", \"stream\": true}");
        assertThat(data.getLast()).isEqualTo("[DONE]");
        List<JsonNode> chunks = data.subList(0, data.size() - 1).stream().map(TestServer::json).toList();
        assertThat(chunks).allSatisfy(c -> assertThat(c.get("object").asText()).isEqualTo("chat.completion.chunk"));
        assertThat(chunks.getFirst().at("/choices/0/delta/role").asText()).isEqualTo("assistant");
        String text = chunks.stream().map(c -> c.at("/choices/0/delta/content").asText("")).collect(Collectors.joining());
        assertThat(text).isEqualTo(expected.text());
        assertThat(chunks.getLast().at("/choices/0/finish_reason").asText()).isIn("stop", "length");
    }

    @Test
    void logprobsAreTheLogSoftmaxOfTheModelsLogits() {
        String prompt = "The lazy";
        int[] ids = reference.tokenizer().encodeSequence(prompt);
        // the reference: the model's logits after the prompt, log-softmax in double precision here
        KvCache cache = reference.transformer().newCache(64);
        float[] logits;
        synchronized (server.lm) {
            logits = reference.transformer().forward(ids, 0, ids.length, cache).clone();
        }
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double sum = 0;
        for (float l : logits) {
            sum += Math.exp(l - max);
        }
        double logZ = max + Math.log(sum);

        JsonNode completion = TestServer.json(server.post("/v1/completions",
                "{\"prompt\": \"" + prompt + "\", \"max_tokens\": 3, \"temperature\": 0, \"logprobs\": 3}"));
        JsonNode lp = completion.at("/choices/0/logprobs");
        int first = reference.tokenizer().encode(lp.get("tokens").get(0).asText())[0];
        assertThat(lp.get("token_logprobs").get(0).asDouble()).isCloseTo(logits[first] - logZ, org.assertj.core.data.Offset.offset(1e-4));
        assertThat(lp.get("top_logprobs").get(0).size()).isEqualTo(3);
        // greedy: the chosen token is the most likely one
        assertThat(lp.get("top_logprobs").get(0).get(lp.get("tokens").get(0).asText()).asDouble())
                .isEqualTo(lp.get("token_logprobs").get(0).asDouble());
        assertThat(lp.get("text_offset").get(1).asInt()).isEqualTo(lp.get("tokens").get(0).asText().length());

        JsonNode chat = TestServer.json(server.post("/v1/chat/completions",
                "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"max_tokens\": 2, \"logprobs\": true, \"top_logprobs\": 2}"));
        JsonNode content = chat.at("/choices/0/logprobs/content");
        assertThat(content.size()).isEqualTo(2);
        JsonNode entry = content.get(0);
        assertThat(entry.get("logprob").asDouble()).isNegative();
        assertThat(entry.get("top_logprobs").size()).isEqualTo(2);
        assertThat(entry.get("top_logprobs").get(0).get("logprob").asDouble())
                .isGreaterThanOrEqualTo(entry.get("top_logprobs").get(1).get("logprob").asDouble());
        assertThat(entry.get("bytes").size()).isEqualTo(entry.get("token").asText().getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
    }

    @Test
    void modelsHealthTokenizeDetokenize() {
        JsonNode models = TestServer.json(server.get("/v1/models"));
        assertThat(models.get("object").asText()).isEqualTo("list");
        assertThat(models.at("/data/0/id").asText()).isEqualTo("test-model");
        assertThat(models.at("/data/0/object").asText()).isEqualTo("model");
        assertThat(TestServer.json(server.get("/health")).get("status").asText()).isEqualTo("ok");

        JsonNode tokens = TestServer.json(server.post("/tokenize", "{\"content\": \"lazy dog\"}")).get("tokens");
        int[] expected = reference.tokenizer().encode("lazy dog");
        assertThat(tokens.size()).isEqualTo(expected.length);
        for (int i = 0; i < expected.length; i++) {
            assertThat(tokens.get(i).asInt()).isEqualTo(expected[i]);
        }
        JsonNode text = TestServer.json(server.post("/detokenize", "{\"tokens\": " + tokens + "}"));
        assertThat(text.get("content").asText()).isEqualTo("lazy dog");
    }

    @Test
    void differentPromptsAtOnceEachGetTheirOwnAnswer() throws Exception {
        // more requests than slots: some wait in the queue; every answer equals the prompt's answer alone
        List<String> prompts = List.of("The", "quick", "brown fox", "jumps", "over 1", "lazy dog.");
        var pool = java.util.concurrent.Executors.newFixedThreadPool(prompts.size());
        try {
            var futures = prompts.stream().map(p -> pool.submit(() -> server.post("/v1/completions",
                    "{\"prompt\": \"" + p + "\", \"max_tokens\": 40, \"temperature\": 0}"))).toList();
            for (int i = 0; i < prompts.size(); i++) {
                HttpResponse<String> response = futures.get(i).get();
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(TestServer.json(response).at("/choices/0/text").asText()).isEqualTo(greedy(prompts.get(i), 40, List.of()).text());
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void theSameSeedGivesTheSameTextAndPenaltiesAreAccepted() {
        String request = "{\"prompt\": \"The\", \"max_tokens\": 20, \"temperature\": 1.2, \"top_k\": 20, \"top_p\": 0.9, \"min_p\": 0.01, "
                + "\"seed\": 99, \"presence_penalty\": 0.5, \"frequency_penalty\": 0.4}";
        String a = TestServer.json(server.post("/v1/completions", request)).at("/choices/0/text").asText();
        String b = TestServer.json(server.post("/v1/completions", request)).at("/choices/0/text").asText();
        assertThat(a).isEqualTo(b).isNotEmpty();
    }

    @Test
    void thePlaygroundIsOnePageFromTheJarThatNeedsNothingFromOutside() {
        HttpResponse<String> page = server.get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/html"));
        assertThat(page.body()).contains("<title>jgpt playground</title>").contains("/v1/completions")
                .doesNotContain("http://").doesNotContain("https://").doesNotContain("src=");
        for (String path : List.of("/playground.html", "/..%2Fpom.xml", "/%2e%2e/%2e%2e/etc/passwd", "/dev/jgpt/server/playground.html")) {
            assertThat(server.get(path).statusCode()).as(path).isIn(400, 404);
        }
    }
}
