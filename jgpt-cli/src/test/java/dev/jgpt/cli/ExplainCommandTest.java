package dev.jgpt.cli;

import static dev.jgpt.cli.CliTest.jgpt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jgpt.cli.CliTest.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code jgpt explain} as a user calls it: the JSON's shape and invariants, the terminal report, the errors. */
class ExplainCommandTest {
    private static final String TEXT = "ROMEO:\nBut soft, what light";

    @Test
    void jsonOnTheShippedModelHasTheIssuesShapeAndAgreesWithScore() throws IOException {
        Run run = jgpt("explain", "--json", "--top-k", "6", TEXT);
        assertThat(run.exit()).as(run.err()).isZero();
        JsonNode e = run.json();
        // the tokens are those `jgpt tokenize` shows
        JsonNode tokenized = jgpt("tokenize", "--json", TEXT).json();
        int t = tokenized.get("ids").size();
        assertThat(e.get("tokens")).hasSize(t);
        for (int i = 0; i < t; i++) {
            assertThat(e.get("tokens").get(i).get("id")).isEqualTo(tokenized.get("ids").get(i));
            assertThat(e.get("tokens").get(i).get("piece")).isEqualTo(tokenized.get("pieces").get(i));
        }
        // next: descending true probabilities, and the rest
        JsonNode top = e.get("next").get("top");
        assertThat(top).hasSize(6);
        double mass = 0;
        for (int i = 0; i < 6; i++) {
            assertThat(names(top.get(i))).containsExactly("id", "piece", "prob");
            if (i > 0) {
                assertThat(top.get(i).get("prob").asDouble()).isLessThanOrEqualTo(top.get(i - 1).get("prob").asDouble());
            }
            mass += top.get(i).get("prob").asDouble();
        }
        assertThat(e.get("next").get("rest_prob").asDouble()).isCloseTo(1 - mass, within(1e-6));
        // temperatures: the same entries, each list a distribution, sharper when cooler
        assertThat(names(e.get("temperatures"))).containsExactly("0.5", "1", "2");
        for (String temperature : List.of("0.5", "1", "2")) {
            JsonNode entries = e.get("temperatures").get(temperature);
            double sum = 0;
            for (int i = 0; i < 6; i++) {
                assertThat(entries.get(i).get("id")).isEqualTo(top.get(i).get("id"));
                sum += entries.get(i).get("prob").asDouble();
            }
            assertThat(sum).isCloseTo(1, within(1e-5));
        }
        assertThat(e.get("temperatures").get("0.5").get(0).get("prob").asDouble())
                .isGreaterThan(e.get("temperatures").get("2").get(0).get("prob").asDouble());
        // logprobs and perplexity: what `jgpt score` computes on its own
        JsonNode score = jgpt("score", "--json", "--text", TEXT).json();
        assertThat(e.get("logprobs")).hasSize(t - 1);
        double sum = 0;
        for (int i = 0; i < t - 1; i++) {
            assertThat(e.get("logprobs").get(i).asDouble()).isCloseTo(score.get("logprobs").get(i).asDouble(), within(1e-4));
            sum += e.get("logprobs").get(i).asDouble();
        }
        assertThat(e.get("perplexity").asDouble()).isCloseTo(Math.exp(-sum / (t - 1)), within(1e-6 * Math.exp(-sum / (t - 1))));
        assertThat(e.get("perplexity").asDouble()).isCloseTo(score.get("perplexity").asDouble(), within(1e-3));
        // attention [layer][head][query][key]: causal rows of a softmax
        JsonNode attention = e.get("attention");
        assertThat(attention).hasSize(4);
        for (JsonNode layer : attention) {
            assertThat(layer).hasSize(8);
            for (JsonNode head : layer) {
                assertThat(head).hasSize(t);
                for (int q = 0; q < t; q++) {
                    assertThat(head.get(q)).hasSize(t);
                    double row = 0;
                    for (int k = 0; k < t; k++) {
                        double w = head.get(q).get(k).asDouble();
                        if (k > q) {
                            assertThat(w).isZero();
                        }
                        row += w;
                    }
                    assertThat(row).isCloseTo(1, within(1e-5));
                }
            }
        }
        // logit lens: one top-k per layer, the last the model's own prediction
        assertThat(e.get("logit_lens")).hasSize(4);
        for (int i = 0; i < 6; i++) {
            assertThat(e.get("logit_lens").get(3).get(i).get("id")).isEqualTo(top.get(i).get("id"));
        }
        // positions: one per token, the next token's top-k with logits; the last is `next`
        assertThat(e.get("positions")).hasSize(t);
        JsonNode last = e.get("positions").get(t - 1).get("top");
        for (int i = 0; i < 6; i++) {
            assertThat(names(last.get(i))).containsExactly("id", "piece", "logit", "prob");
            assertThat(last.get(i).get("id")).isEqualTo(top.get(i).get("id"));
        }
        // a position's top-1 is the token score names as the model's top choice there
        for (int i = 0; i < t - 1; i++) {
            assertThat(e.get("positions").get(i).get("top").get(0).get("id")).isEqualTo(score.get("top_tokens").get(i));
        }
    }

    @Test
    void aGgufLlamaIsExplainedWithItsBos() throws IOException {
        Path gguf = shared("models/stories260K.gguf");
        Run run = jgpt("explain", "--model", gguf.toString(), "--json", "Once upon a time");
        assertThat(run.exit()).as(run.err()).isZero();
        JsonNode e = run.json();
        assertThat(e.get("tokens").get(0).get("id").asInt()).isEqualTo(1);
        assertThat(e.get("model").get("architecture").asText()).isEqualTo("llama");
        int t = e.get("tokens").size();
        assertThat(e.get("attention")).hasSize(5);
        assertThat(e.get("attention").get(4)).hasSize(8);
        assertThat(e.get("attention").get(4).get(7).get(t - 1)).hasSize(t);
        assertThat(e.get("next").get("top")).hasSize(10);
        // the model knows the story: "Once upon a time" is followed by ","
        assertThat(e.get("next").get("top").get(0).get("piece").asText()).isEqualTo(",");
    }

    @Test
    void theTerminalReportShowsEveryStep() {
        Run run = jgpt("explain", "--no-color", "--top-k", "4", "--layer", "1", "--head", "2", "ROMEO:\nBut soft");
        assertThat(run.exit()).as(run.err()).isZero();
        String out = run.out();
        assertThat(out).contains("Tokens:", "|ROMEO|: |↵  |But|·so|", "Surprisal", "perplexity", "Next token", "Temperature",
                "T = 0.5", "T = 1", "T = 2", "Attention in layer 1, head 2", "Logit lens", "layer   3").doesNotContain("\u001B[");
        // one row per token in the surprisal table, with its id
        JsonNode ids = null;
        try {
            ids = jgpt("tokenize", "--json", "ROMEO:\nBut soft").json().get("ids");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        for (JsonNode id : ids) {
            assertThat(out).containsPattern("\\s" + id.asInt() + "\\s+\"");
        }
        assertThat(jgpt("explain", "--no-color", "ROMEO").out()).contains("Attention in layer 3, mean over its 8 heads");
    }

    @Test
    void badRequestsAreOneLineErrors() {
        assertError(jgpt("explain", "--layer", "4", "x"), "--layer 4 is out of range: the model has 4 layers (0..3)");
        assertError(jgpt("explain", "--head", "-1", "x"), "--head -1 is out of range: the model has 8 heads per layer");
        assertError(jgpt("explain", "--top-k", "0", "x"), "top-k must be at least 1");
        assertError(jgpt("explain", "a ".repeat(300)), "more than the model's context window of 256 tokens");
        assertError(jgpt("explain", "--model", "/nonexistent/model", "x"), "/nonexistent/model");
        assertError(jgpt("explain", ""), "no tokens");
    }

    private static void assertError(Run run, String message) {
        assertThat(run.exit()).isNotZero();
        assertThat(run.err()).contains(message).doesNotContain("Exception");
        assertThat(run.err().strip().lines()).hasSize(1);
    }

    static List<String> names(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    static Path shared(String relative) {
        Path path = Path.of(System.getProperty("jgpt.shared", "../shared")).resolve(relative);
        assumeTrue(Files.exists(path), "reference data not found, skipping: " + path);
        return path;
    }
}
