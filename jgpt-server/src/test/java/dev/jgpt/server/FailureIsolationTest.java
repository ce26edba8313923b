package dev.jgpt.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jgpt.generate.ContextOverflow;
import dev.jgpt.generate.Generation;
import dev.jgpt.generate.GenerationSettings;
import dev.jgpt.generate.LanguageModel;
import dev.jgpt.generate.TokenListener;
import dev.jgpt.model.Transformer;
import dev.jgpt.sampling.SamplerSettings;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.ThrowingSupplier;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One request can fail; nothing else may: whatever a request asks for and whatever its job
 * throws, that request alone gets an error and the next one is answered. Every test is bounded
 * in time, so that a hung scheduler fails it instead of hanging the suite.
 */
class FailureIsolationTest {
    /** 1000 characters: 1000 tokens of the test model's character tokenizer, leaving 25 new tokens in its window of 1024. */
    private static final String LONG_PROMPT = "a".repeat(1000);

    @TempDir
    static Path modelDir;
    static TestServer server;
    static LanguageModel reference;

    @BeforeAll
    static void start() {
        server = TestServer.start(modelDir, 2, 4, null);
        reference = LanguageModel.open(modelDir);
    }

    @AfterAll
    static void stop() {
        server.close();
        reference.close();
    }

    private static <T> T within30s(ThrowingSupplier<T> work) {
        return assertTimeoutPreemptively(Duration.ofSeconds(30), work, "the server hung");
    }

    /** The answer a fresh request gets: what the core's generator writes for the same prompt. */
    private static void aNormalRequestIsAnswered() {
        String text = within30s(() -> TestServer.json(server.post("/v1/completions",
                "{\"prompt\": \"The\", \"max_tokens\": 8, \"temperature\": 0}")).at("/choices/0/text").asText());
        assertThat(text).isEqualTo(reference.generate("The", GenerationSettings.of(8, SamplerSettings.greedy()), TokenListener.NONE).text());
    }

    @ParameterizedTest
    @ValueSource(strings = {"2147483647", "1000000000", "26"})
    void aMaximumBeyondTheContextIsClampedToTheRoomLeftAndEndsWithLength(String max) {
        // the reference: the core's generator with no limit but the window, stopping when it is full
        Generation full = reference.generate(LONG_PROMPT, new GenerationSettings(Integer.MAX_VALUE, SamplerSettings.greedy(), List.of(),
                ContextOverflow.STOP), TokenListener.NONE);
        JsonNode body = within30s(() -> TestServer.json(server.post("/v1/completions",
                "{\"prompt\": \"" + LONG_PROMPT + "\", \"temperature\": 0, \"max_tokens\": " + max + "}")));
        assertThat(body.at("/choices/0/text").asText()).isEqualTo(full.text());
        assertThat(body.at("/choices/0/finish_reason").asText()).isEqualTo("length");
        assertThat(body.at("/usage/completion_tokens").asInt()).isEqualTo(full.tokens().length);
        assertThat(body.at("/usage/max_tokens_clamped_to").asInt()).isEqualTo(full.tokens().length);
        assertThat(body.at("/usage/total_tokens").asInt()).isEqualTo(LONG_PROMPT.length() + full.tokens().length);
        aNormalRequestIsAnswered();
    }

    @ParameterizedTest
    @ValueSource(strings = {"max_completion_tokens", "max_tokens"})
    void aChatMaximumBeyondTheContextIsClampedToo(String field) {
        String messages = "[{\"role\": \"user\", \"content\": \"" + LONG_PROMPT + "\"}]";
        JsonNode body = within30s(() -> TestServer.json(server.post("/v1/chat/completions",
                "{\"messages\": " + messages + ", \"temperature\": 0, \"" + field + "\": 2147483647}")));
        int promptTokens = body.at("/usage/prompt_tokens").asInt();
        assertThat(promptTokens).isGreaterThan(LONG_PROMPT.length());
        int clampedTo = body.at("/usage/max_tokens_clamped_to").asInt();
        assertThat(body.at("/usage/completion_tokens").asInt()).isPositive().isLessThanOrEqualTo(clampedTo);
        // the chat default is the room left: the same number, and no clamp to report
        JsonNode byDefault = within30s(() -> TestServer.json(server.post("/v1/chat/completions",
                "{\"messages\": " + messages + ", \"temperature\": 0}")));
        assertThat(byDefault.at("/usage/completion_tokens").asInt()).isEqualTo(body.at("/usage/completion_tokens").asInt());
        assertThat(byDefault.get("usage").has("max_tokens_clamped_to")).isFalse();
        aNormalRequestIsAnswered();
    }

    @Test
    void aMaximumThatFitsIsNotReported() {
        JsonNode body = within30s(() -> TestServer.json(server.post("/v1/completions", "{\"prompt\": \"The\", \"max_tokens\": 3}")));
        assertThat(body.at("/usage/completion_tokens").asInt()).isEqualTo(3);
        assertThat(body.get("usage").has("max_tokens_clamped_to")).isFalse();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "max_tokens            | 2147483648                 | got 2147483648",
        "max_tokens            | 99999999999999999999999999 | got 99999999999999999999999999",
        "max_tokens            | -1                         | got -1",
        "max_tokens            | 0                          | got 0",
        "max_tokens            | 1.5                        | got 1.5",
        "max_tokens            | 1e9                        | got 1.0E9",
        "max_tokens            | \"10\"                     | got the string '10'",
        "max_tokens            | true                       | got true",
        "max_completion_tokens | 2147483648                 | got 2147483648",
        "max_completion_tokens | \"x\\u001b[2J\"            | got the string 'x\\x1b[2J'",
    })
    void aMaximumThatIsNotAnIntegerInRangeIs400ShowingTheRangeAndTheValue(String field, String value, String shown) {
        boolean chat = field.equals("max_completion_tokens");
        String path = chat ? "/v1/chat/completions" : "/v1/completions";
        String body = "{" + (chat ? "\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]" : "\"prompt\": \"a\"") + ", \""
                + field + "\": " + value + "}";
        JsonNode error = ApiErrorsTest.error(within30s(() -> server.post(path, body)), 400);
        assertThat(error.get("param").asText()).isEqualTo(field);
        assertThat(error.get("message").asText()).isEqualTo("'" + field + "' must be an integer in 1..2147483647, " + shown);
    }

    /** Installs {@code probe} on the server's model, on the scheduler's thread (the only one that runs it). */
    private static void probe(Transformer.Probe probe) {
        within30s(() -> server.server.scheduler().call(model -> {
            model.setProbe(probe);
            return null;
        }).get());
    }

    /** A probe that throws {@code fault} once it has watched {@code blocks} blocks of forward passes. */
    private static Transformer.Probe failingAfter(int blocks, Supplier<Throwable> fault) {
        AtomicInteger seen = new AtomicInteger();
        return new Transformer.Probe() {
            @Override
            public void attention(int layer, int start, int rows, float[] weights, int headStride, int rowStride) {
            }

            @Override
            public void residual(int layer, int start, int rows, float[] x) {
                if (seen.incrementAndGet() > blocks) {
                    sneakyThrow(fault.get());
                }
            }
        };
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> void sneakyThrow(Throwable e) throws E {
        throw (E) e;
    }

    @ParameterizedTest
    @ValueSource(strings = {"InternalError", "OutOfMemoryError", "IllegalStateException"})
    void aJobThatThrowsFailsAloneWithA500(String kind) {
        Supplier<Throwable> fault = switch (kind) {
            // what reading a model file that was cut short while mapped throws
            case "InternalError" -> () -> new InternalError("a fault occurred in an unsafe memory access operation");
            case "OutOfMemoryError" -> () -> new OutOfMemoryError("Java heap space");
            default -> () -> new IllegalStateException("a bug");
        };
        int restarts = server.server.scheduler().restarts(); // the server is shared: other tests may have restarted it
        try {
            probe(failingAfter(0, fault));
            JsonNode error = ApiErrorsTest.error(within30s(() -> server.post("/v1/completions", "{\"prompt\": \"The\", \"max_tokens\": 5}")), 500);
            assertThat(error.get("type").asText()).isEqualTo("server_error");
            // a stream that fails after its first tokens: the error is its last event
            // the passes of the prompt and of 5 new tokens through the model's blocks go well: 6 tokens are sampled
            probe(failingAfter(server.lm.config().layers() * 6, fault));
            List<String> data = within30s(() -> server.stream("/v1/completions",
                    "{\"prompt\": \"The\", \"max_tokens\": 50, \"stream\": true}"));
            assertThat(data.getLast()).isEqualTo("[DONE]");
            assertThat(data.subList(0, data.size() - 2)).hasSize(6)
                    .allSatisfy(chunk -> assertThat(TestServer.json(chunk).at("/choices/0/text").isTextual()).isTrue());
            assertThat(TestServer.json(data.get(data.size() - 2)).at("/error/type").asText()).isEqualTo("server_error");
        } finally {
            probe(null);
        }
        aNormalRequestIsAnswered();
        assertThat(server.server.scheduler().restarts()).as("the worker survived the job").isEqualTo(restarts);
    }

    @Test
    void scoresThatAreNotNumbersFailTheRequestWithA500SayingSo() {
        int last = server.lm.config().layers() - 1;
        try {
            probe(new Transformer.Probe() {
                @Override
                public void attention(int layer, int start, int rows, float[] weights, int headStride, int rowStride) {
                }

                @Override
                public void residual(int layer, int start, int rows, float[] x) {
                    if (layer == last) {
                        Arrays.fill(x, Float.NaN); // what NaN weights make of the residual stream
                    }
                }
            });
            JsonNode error = ApiErrorsTest.error(within30s(() -> server.post("/v1/completions", "{\"prompt\": \"The\", \"max_tokens\": 5}")), 500);
            assertThat(error.get("message").asText()).startsWith("the model's scores at new token 1 are not finite (NaN")
                    .contains("--check-tensors");
        } finally {
            probe(null);
        }
        aNormalRequestIsAnswered();
    }

    @Test
    void aPaddedVocabularyNeverShowsAnIdTheTokenizerLacks(@TempDir Path padded) {
        try (TestServer server = TestServer.start(TestServer.model(padded, 64),
                new ServerSettings("127.0.0.1", 0, null, 1, 4, 64 * 1024, 1024, "padded"), Scheduler.WORKER_THREADS)) {
            int tokens = server.lm.tokenizer().vocabSize();
            assertThat(server.lm.config().vocabSize()).isEqualTo(tokens + 64);
            JsonNode logprobs = within30s(() -> TestServer.json(server.post("/v1/completions",
                    "{\"prompt\": \"The\", \"max_tokens\": 40, \"temperature\": 0, \"logprobs\": 20}"))).at("/choices/0/logprobs");
            assertThat(logprobs.get("token_ids")).hasSize(40).allSatisfy(id -> assertThat(id.asInt()).isLessThan(tokens));
            for (int i = 0; i < 40; i++) {
                JsonNode top = logprobs.get("top_logprobs").get(i);
                assertThat(top.size()).isEqualTo(20);
                // greedy takes the most likely of the tokenizer's tokens: the first of those shown
                double best = top.properties().stream().mapToDouble(e -> e.getValue().asDouble()).max().orElseThrow();
                assertThat(logprobs.get("token_logprobs").get(i).asDouble()).isEqualTo(best);
                top.fieldNames().forEachRemaining(name -> assertThat(server.lm.tokenizer().encode(name)).hasSize(1));
            }
        }
    }

    @Test
    void aCallOnTheModelThatThrowsAnErrorFailsAlone() {
        CompletableFuture<Object> call = server.server.scheduler().call(model -> {
            throw new OutOfMemoryError("Java heap space");
        });
        assertThat(within30s(() -> call.handle((result, e) -> e).get())).isInstanceOf(OutOfMemoryError.class);
        aNormalRequestIsAnswered();
    }

    @Test
    void aWorkerThatDiesIsReplacedAndOnlyTheJobItHeldFails() {
        CompletableFuture<List<String>> held = CompletableFuture.supplyAsync(() -> server.stream("/v1/completions",
                "{\"prompt\": \"The\", \"max_tokens\": 1000, \"stream\": true}"));
        long before = server.server.scheduler().tokensGenerated();
        int restarts = server.server.scheduler().restarts();
        TestServer.await("generation is under way", () -> server.server.scheduler().tokensGenerated() > before);
        server.server.scheduler().breakWorker(new StackOverflowError());
        List<String> data = within30s(held::join);
        assertThat(data.getLast()).isEqualTo("[DONE]");
        JsonNode error = TestServer.json(data.get(data.size() - 2)).get("error");
        assertThat(error.get("type").asText()).isEqualTo("server_error");
        assertThat(error.get("message").asText()).contains("restarted");
        assertThat(server.server.scheduler().restarts()).isEqualTo(restarts + 1);
        JsonNode health = TestServer.json(within30s(() -> server.get("/health")));
        assertThat(health.get("status").asText()).isEqualTo("ok");
        assertThat(health.get("scheduler_restarts").asInt()).isEqualTo(restarts + 1);
        aNormalRequestIsAnswered();
    }

    @Test
    void withoutAWorkerTheServerSays503InsteadOfHanging() {
        AtomicInteger made = new AtomicInteger();
        ThreadFactory onlyOne = work -> made.getAndIncrement() == 0 ? Scheduler.WORKER_THREADS.newThread(work) : null;
        try (TestServer lonely = TestServer.start(TestServer.model(modelDir),
                new ServerSettings("127.0.0.1", 0, null, 1, 4, 64 * 1024, 1024, "test-model"), onlyOne)) {
            assertThat(lonely.get("/health").statusCode()).isEqualTo(200);
            lonely.server.scheduler().breakWorker(new InternalError("broken"));
            TestServer.await("the health check says the worker is gone", () -> lonely.get("/health").statusCode() == 503);
            JsonNode health = ApiErrorsTest.error(lonely.get("/health"), 503);
            assertThat(health.get("message").asText()).contains("scheduler thread stopped").contains("restart the server");
            JsonNode refused = ApiErrorsTest.error(within30s(() -> lonely.post("/v1/completions", "{\"prompt\": \"a\", \"max_tokens\": 2}")), 503);
            assertThat(refused.get("message").asText()).contains("restart the server");
            HttpResponse<String> explain = within30s(() -> lonely.post("/v1/explain", "{\"prompt\": \"ab\"}"));
            assertThat(explain.statusCode()).isEqualTo(503);
        }
    }
}
