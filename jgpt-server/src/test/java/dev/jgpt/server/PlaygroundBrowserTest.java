package dev.jgpt.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jgpt.generate.Generation;
import dev.jgpt.generate.GenerationSettings;
import dev.jgpt.generate.LanguageModel;
import dev.jgpt.generate.TokenListener;
import dev.jgpt.sampling.SamplerSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The playground in a real headless browser (Debian's chromium driven by playwright-core, see
 * {@link NodeScript}): it loads, streams a completion token by token, and clicking a token shows
 * the distribution it was drawn from, which the temperature slider reshapes.
 */
class PlaygroundBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    @TempDir
    static Path modelDir;

    @Test
    void thePageStreamsACompletionAndShowsATokensDistribution() throws Exception {
        NodeScript.assumeInstalled("playwright-core");
        assumeTrue(Files.isExecutable(CHROMIUM), "chromium is not installed (apt-get install chromium)");
        try (TestServer server = TestServer.start(modelDir, 2, 4, null);
             LanguageModel reference = LanguageModel.open(modelDir)) {
            JsonNode got = NodeScript.run("playground.mjs", server.uri("").toString(), CHROMIUM.toString());
            assertThat(got.get("title").asText()).isEqualTo("jgpt playground");
            assertThat(got.get("errors")).isEmpty();
            assertThat(got.get("status").asText()).contains("12 tokens").contains("finish: length");

            // at temperature 0 the page's tokens spell the generator's greedy text
            Generation greedy = reference.generate("The quick brown", GenerationSettings.of(12, SamplerSettings.greedy()), TokenListener.NONE);
            StringBuilder text = new StringBuilder();
            got.get("tokens").forEach(t -> text.append(t.asText()));
            assertThat(got.get("tokens").size()).isEqualTo(12);
            assertThat(text.toString()).isEqualTo(greedy.text());

            JsonNode bars = got.get("bars");
            assertThat(bars.size()).isEqualTo(10);
            List<String> chosen = new ArrayList<>();
            bars.forEach(b -> {
                if (b.get("chosen").asBoolean()) {
                    chosen.add(b.get("token").asText());
                }
            });
            assertThat(chosen).containsExactly(got.get("clicked").asText());
            // greedy: the clicked token is the most likely, holding the whole bar at temperature 0 ...
            assertThat(bars.get(0).get("chosen").asBoolean()).isTrue();
            assertThat(bars.get(0).get("width").asDouble()).isEqualTo(100.0);
            // ... and at temperature 2 the shares flatten out
            assertThat(got.get("hotWidths").get(0).asDouble()).isLessThan(100.0).isGreaterThan(got.get("hotWidths").get(9).asDouble() - 1e-9);
        }
    }
}
