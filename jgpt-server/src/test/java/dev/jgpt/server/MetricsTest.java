package dev.jgpt.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /metrics} is well-formed Prometheus text whose counters follow the requests, and every request gets a log line. */
class MetricsTest {
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

    private static Map<String, Double> scrape() {
        HttpResponse<String> response = server.get("/metrics");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
        return PrometheusText.parse(response.body());
    }

    private static double delta(Map<String, Double> before, Map<String, Double> after, String sample) {
        return after.getOrDefault(sample, 0.0) - before.getOrDefault(sample, 0.0);
    }

    @Test
    void countersMoveWithRequestsAndTokens() {
        Map<String, Double> before = scrape();
        String ok = "{\"prompt\": \"Hello\", \"max_tokens\": 5, \"temperature\": 0}";
        assertThat(server.post("/v1/completions", ok).statusCode()).isEqualTo(200);
        assertThat(server.stream("/v1/completions", ok.replace("}", ", \"stream\": true}")).getLast()).isEqualTo("[DONE]");
        assertThat(server.post("/v1/completions", "{\"prompt\": 5}").statusCode()).isEqualTo(400);
        assertThat(server.post("/v1/embeddings", "{\"input\": \"abc\"}").statusCode()).isEqualTo(200);
        assertThat(server.get("/nowhere/" + "x".repeat(10)).statusCode()).isEqualTo(404);
        // the counting runs once the answer is written: wait for the last one
        TestServer.await("the 404 is counted", () -> delta(before, scrape(), "jgpt_requests_total{endpoint=\"other\",status=\"404\"}") == 1);
        Map<String, Double> after = scrape();
        assertThat(delta(before, after, "jgpt_requests_total{endpoint=\"/v1/completions\",status=\"200\"}")).isEqualTo(2);
        assertThat(delta(before, after, "jgpt_requests_total{endpoint=\"/v1/completions\",status=\"400\"}")).isEqualTo(1);
        assertThat(delta(before, after, "jgpt_requests_total{endpoint=\"/v1/embeddings\",status=\"200\"}")).isEqualTo(1);
        int prompt = server.lm.tokenizer().encodeSequence("Hello").length;
        assertThat(delta(before, after, "jgpt_prompt_tokens_total")).isEqualTo(2 * prompt + 3);
        assertThat(delta(before, after, "jgpt_completion_tokens_total")).isEqualTo(10);
        assertThat(delta(before, after, "jgpt_first_token_seconds_count")).isEqualTo(2);
        assertThat(delta(before, after, "jgpt_token_seconds_count")).isEqualTo(8);
        assertThat(delta(before, after, "jgpt_first_token_seconds_sum")).isPositive();
        assertThat(after.get("jgpt_busy_slots")).isZero();
        assertThat(after.get("jgpt_queue_depth")).isZero();
        assertThat(after.get("jgpt_slots")).isEqualTo(2);
    }

    @Test
    void everyRequestGetsOneLogLine() {
        server.post("/v1/completions", "{\"prompt\": \"Hi\", \"max_tokens\": 3}");
        TestServer.await("the log line", () -> server.log.stream().anyMatch(l -> l.startsWith("POST /v1/completions 200 prompt=")));
        assertThat(server.log).anySatisfy(line -> assertThat(line)
                .matches("POST /v1/completions 200 prompt=" + server.lm.tokenizer().encodeSequence("Hi").length + " cached=0 completion=3 ms=[0-9]+"));
        server.get("/v1/models");
        TestServer.await("the models line", () -> server.log.stream().anyMatch(l -> l.matches("GET /v1/models 200 prompt=0 cached=0 completion=0 ms=[0-9]+")));
    }

    @Test
    void theParserRefusesMalformedText() {
        for (String bad : new String[] {"x 1\n", "# TYPE x counter\nx 1\n", "# TYPE x_total counter\nx_total{a=b} 1\n",
                "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n", "# TYPE g gauge\ng 1"}) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> PrometheusText.parse(bad)).isInstanceOf(AssertionError.class);
        }
    }
}
