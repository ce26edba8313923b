package dev.jgpt.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jgpt.generate.Generation;
import dev.jgpt.generate.GenerationSettings;
import dev.jgpt.generate.LanguageModel;
import dev.jgpt.generate.TokenListener;
import dev.jgpt.inspect.Explainer;
import dev.jgpt.inspect.Explanation;
import dev.jgpt.sampling.SamplerSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The playground in a real headless browser (Debian's chromium driven by playwright-core, see
 * {@link NodeScript}): it loads, streams a completion token by token, and clicking a token shows
 * the distribution it was drawn from, which the temperature slider reshapes, and its attention
 * over the tokens up to it, as the core's {@link Explainer} computes it; its chat mode holds a
 * conversation through /v1/chat/completions on a phone-sized screen.
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

            // the probability is the number on the right of the bar, and the caption says so
            assertThat(got.get("numberRightOfBar").asBoolean()).isTrue();
            assertThat(got.get("caption").asText()).contains("number on the right").doesNotContain("left");

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

            // the clicked token's attention: one cell per token up to it (prompt and 3 generated), as the core's Explainer
            // computes it for the whole text: the mean over the last layer's heads, then layer 0 head 1 once picked
            int[] all = IntStream.concat(Arrays.stream(greedy.promptTokens()), Arrays.stream(greedy.tokens())).toArray();
            Explanation expected = Explainer.explain(reference.transformer(), reference.tokenizer(), "x", all, 10);
            int query = greedy.promptTokens().length + 2;
            int layers = reference.config().layers(), heads = reference.config().heads();
            assertThat(got.get("layers").asInt()).isEqualTo(layers);
            float[][][][] attention = expected.attention();
            double[] mean = new double[query + 1];
            for (int h = 0; h < heads; h++) {
                for (int k = 0; k <= query; k++) {
                    mean[k] += attention[layers - 1][h][query][k] / heads;
                }
            }
            assertAttention(got.get("meanAttention"), mean, expected);
            double[] single = new double[query + 1];
            for (int k = 0; k <= query; k++) {
                single[k] = attention[0][1][query][k];
            }
            assertAttention(got.get("headAttention"), single, expected);
        }
    }

    @Test
    void theChatModeHoldsATwoTurnConversationOnAPhoneSizedScreen() throws Exception {
        NodeScript.assumeInstalled("playwright-core");
        assumeTrue(Files.isExecutable(CHROMIUM), "chromium is not installed (apt-get install chromium)");
        String first = "Hello there", second = "And how are you?";
        int maxTokens = 8;
        try (TestServer server = TestServer.start(modelDir, 2, 4, null)) {
            JsonNode got = NodeScript.run("playground-chat.mjs", server.uri("").toString(), CHROMIUM.toString(),
                    Integer.toString(maxTokens), first, second);
            assertThat(got.get("errors")).isEmpty();
            assertThat(got.get("status").asText()).contains("finish:");

            // each answer is the server's own to the conversation so far, asked directly: the page sent the history
            ArrayNode conversation = TestServer.JSON.createArrayNode();
            conversation.addObject().put("role", "user").put("content", first);
            String a1 = answer(server, conversation, maxTokens);
            conversation.addObject().put("role", "assistant").put("content", a1);
            conversation.addObject().put("role", "user").put("content", second);
            String a2 = answer(server, conversation, maxTokens);
            assertThat(a1).isNotEmpty();
            assertThat(got.get("answers").get(0).asText()).isEqualTo(a1);
            assertThat(got.get("answers").get(1).asText()).isEqualTo(a2);
            assertThat(got.get("roles").toString()).isEqualTo("[\"user\",\"assistant\",\"user\",\"assistant\"]");

            // 375 px wide: nothing past the right edge, every control on the screen, in both modes
            for (String mode : new String[] {"completionLayout", "chatLayout"}) {
                assertThat(got.get(mode).get("overflow").asInt()).as(mode).isLessThanOrEqualTo(0);
                assertThat(got.get(mode).get("offscreen")).as(mode).isEmpty();
            }
            // a dark system theme darkens the page
            assertThat(got.get("dark").asText()).isNotEqualTo(got.get("light").asText());
        }
    }

    /** The assistant's greedy answer to {@code messages}, from /v1/chat/completions without streaming. */
    private static String answer(TestServer server, ArrayNode messages, int maxTokens) {
        ObjectNode body = TestServer.JSON.createObjectNode();
        body.set("messages", messages.deepCopy());
        body.put("max_tokens", maxTokens).put("temperature", 0);
        var response = server.post("/v1/chat/completions", body.toString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return TestServer.json(response).at("/choices/0/message/content").asText();
    }

    /** The page's cells: the tokens up to the query with the expected weights (summing to 1), the last one marked as itself. */
    private static void assertAttention(JsonNode cells, double[] weights, Explanation expected) {
        assertThat(cells.size()).isEqualTo(weights.length);
        double sum = 0;
        for (int k = 0; k < weights.length; k++) {
            JsonNode cell = cells.get(k);
            assertThat(cell.get("piece").asText()).isEqualTo(expected.tokens().get(k).piece());
            assertThat(cell.get("weight").asDouble()).as("key %d", k).isCloseTo(weights[k], within(1e-5));
            assertThat(cell.get("self").asBoolean()).isEqualTo(k == weights.length - 1);
            sum += cell.get("weight").asDouble();
        }
        assertThat(sum).isCloseTo(1.0, within(1e-4));
    }
}
