package dev.jgpt.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jgpt.generate.GenerationSettings;
import dev.jgpt.generate.LanguageModel;
import dev.jgpt.generate.TokenListener;
import dev.jgpt.sampling.SamplerSettings;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The server on the model jgpt ships, under a bounded hostile run ({@link HostileRun}): every good
 * request completes, every bad one gets the right status, and afterwards the server is healthy and
 * answers a normal request as the core's generator does.
 */
class HostileClientsTest {
    /** Requests that reach the scheduler at once: the good ones, and per scale those bad ones that are valid. */
    private static ServerSettings settings(int good, int scale) {
        return new ServerSettings("127.0.0.1", 0, null, 4, good + 8 * scale, 1 << 20, 256, "shipped");
    }

    private static HostileRun.Report run(int good, int scale, Duration bound) {
        try (TestServer server = TestServer.start(TestServer.shippedModel(), settings(good, scale), Scheduler.WORKER_THREADS);
             LanguageModel reference = TestServer.shippedModel()) {
            HostileRun.Report report = assertTimeoutPreemptively(bound, () -> HostileRun.run(server, good, scale), "the server hung");
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                assertThat(TestServer.json(server.get("/health")).get("status").asText()).isEqualTo("ok");
                TestServer.await("every slot is free", () -> server.server.scheduler().busySlots() == 0);
                JsonNode answer = TestServer.json(server.post("/v1/completions",
                        "{\"prompt\": \"Once upon a time\", \"max_tokens\": 20, \"temperature\": 0}"));
                assertThat(answer.at("/choices/0/text").asText()).isEqualTo(reference.generate("Once upon a time",
                        GenerationSettings.of(20, SamplerSettings.greedy()), TokenListener.NONE).text());
            });
            return report;
        }
    }

    @Test
    void aLoneSurrogateInAnyFieldIsReadAsTheReplacementCharacter() {
        try (TestServer server = TestServer.start(TestServer.shippedModel(), settings(1, 1), Scheduler.WORKER_THREADS)) {
            var tokenizer = server.lm.tokenizer();
            // a byte-level BPE spells anything: U+FFFD is three bytes, where Java's UTF-8 encoder makes a lone surrogate '?'
            assertThat(tokenizer.encode("a\ufffdb")).isNotEqualTo(tokenizer.encode("a?b"));
            JsonNode tokens = TestServer.json(server.post("/tokenize", "{\"content\": \"a\\ud800b\"}")).get("tokens");
            assertThat(TestServer.JSON.convertValue(tokens, int[].class)).containsExactly(tokenizer.encode("a\ufffdb"));
            JsonNode completion = TestServer.json(server.post("/v1/completions", "{\"prompt\": \"a\\udc00b\", \"max_tokens\": 1}"));
            assertThat(completion.at("/usage/prompt_tokens").asInt()).isEqualTo(tokenizer.encodeSequence("a\ufffdb").length);
            JsonNode chat = TestServer.json(server.post("/v1/chat/completions",
                    "{\"messages\": [{\"role\": \"user\", \"content\": \"\\ud800\\ud800\"}], \"max_tokens\": 1}"));
            JsonNode same = TestServer.json(server.post("/v1/chat/completions",
                    "{\"messages\": [{\"role\": \"user\", \"content\": \"\ufffd\ufffd\"}], \"max_tokens\": 1}"));
            assertThat(chat.at("/usage/prompt_tokens").asInt()).isEqualTo(same.at("/usage/prompt_tokens").asInt());
        }
    }

    @Test
    void goodRequestsCompleteBesideHostileClientsAndTheServerStaysWell() {
        HostileRun.Report report = run(32, 1, Duration.ofSeconds(60));
        assertThat(report.wrong()).isEmpty();
        assertThat(report.goodCompleted()).isEqualTo(report.goodSent());
    }

    /**
     * The same run larger, to report from: {@code -Djgpt.hostile.scale=N} sends 32·N good streams
     * beside N clients of each hostile kind, and prints what happened.
     */
    @Test
    @EnabledIfSystemProperty(named = "jgpt.hostile.scale", matches = "[1-9][0-9]*")
    void aLargerHostileRunReports() {
        int scale = Integer.parseInt(System.getProperty("jgpt.hostile.scale"));
        HostileRun.Report report = run(32 * scale, scale, Duration.ofMinutes(10));
        System.out.print(report.describe());
        assertThat(report.wrong()).isEmpty();
        assertThat(report.goodCompleted()).isEqualTo(report.goodSent());
    }
}
