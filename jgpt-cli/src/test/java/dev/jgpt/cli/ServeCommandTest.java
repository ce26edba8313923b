package dev.jgpt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jgpt.generate.LanguageModel;
import dev.jgpt.server.ApiServer;
import dev.jgpt.server.ServerSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** jgpt serve as a user calls it, and the server's greedy answer against jgpt generate's. */
class ServeCommandTest {
    @TempDir
    static Path dir;
    static Path model;

    @BeforeAll
    static void makeModel() {
        model = dir.resolve("tiny");
        CliTest.Run run = CliTest.jgpt("make-model", "--preset", "tiny", "--out", model.toString(), "--seed", "11");
        assertThat(run.exit()).as(run.err()).isZero();
    }

    @Test
    void greedyServerOutputEqualsJgptGenerate() throws Exception {
        CliTest.Run generate = CliTest.jgpt("generate", "--model", model.toString(), "--temperature", "0", "-n", "20", "Hello there");
        assertThat(generate.exit()).as(generate.err()).isZero();
        try (LanguageModel lm = LanguageModel.open(model);
             ApiServer server = ApiServer.start(lm, new ServerSettings("127.0.0.1", 0, null, 2, 4, 1 << 20, 256, "tiny"));
             HttpClient http = HttpClient.newHttpClient()) {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"Hello there\", \"max_tokens\": 20, \"temperature\": 0}"))
                    .build();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            String text = new ObjectMapper().readTree(response.body()).at("/choices/0/text").asText();
            assertThat(generate.out()).isEqualTo(text + System.lineSeparator());
        }
    }

    @Test
    void aLoadRunReportsBothWaysAndEveryRequestCompletes() {
        CliTest.Run run = CliTest.jgpt("serve", "--model", model.toString(), "--port", "0", "--slots", "2",
                "--load-run", "3", "--load-tokens", "4");
        assertThat(run.exit()).as(run.err()).isZero();
        List<String> lines = run.out().lines().toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).contains("clients", "tokens/s", "ttft p50");
        for (String row : lines.subList(1, 3)) {
            String[] cells = row.trim().split("\\s+");
            assertThat(cells[1]).as(row).isEqualTo("3");  // requests completed
            assertThat(cells[2]).as(row).isEqualTo("0");  // failed
        }
        assertThat(run.err()).contains("serving tiny on http://127.0.0.1:");
    }

    @Test
    void theContextSizeSizesEverySlotAndCannotExceedTheModel() {
        CliTest.Run run = CliTest.jgpt("serve", "--model", model.toString(), "--port", "0", "-c", "32",
                "--load-run", "1", "--load-tokens", "2");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.err()).contains("2 slots of 32 positions");
        CliTest.Run tooBig = CliTest.jgpt("serve", "--model", model.toString(), "--ctx-size", "257");
        assertThat(tooBig.exit()).isNotZero();
        assertThat(tooBig.err()).contains("257", "context length is 256").doesNotContain("Exception");
    }

    @Test
    void badSettingsAreOneLineErrors() {
        CliTest.Run run = CliTest.jgpt("serve", "--model", model.toString(), "--slots", "0");
        assertThat(run.exit()).isNotZero();
        assertThat(run.err()).contains("slots").doesNotContain("Exception");
    }
}
