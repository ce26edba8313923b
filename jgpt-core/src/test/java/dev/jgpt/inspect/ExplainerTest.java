package dev.jgpt.inspect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jgpt.JgptException;
import dev.jgpt.SharedData;
import dev.jgpt.generate.Scorer;
import dev.jgpt.inspect.Explanation.Candidate;
import dev.jgpt.inspect.Explanation.Ranked;
import dev.jgpt.model.load.ModelFiles;
import dev.jgpt.tokenizer.CharTokenizer;
import dev.jgpt.tokenizer.Tokenizer;
import dev.jgpt.tokenizer.TokenizerLoader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Explanations against PyTorch's log-softmax, the Scorer, and direct float64 computations of each number. */
class ExplainerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The GPT-2 fixtures have no tokenizer: 64 ids shown as 64 characters. */
    private static final Tokenizer CHARS = CharTokenizer.of(IntStream.range(0, 64).map(i -> 'A' + i).toArray());

    @Test
    void everyProbabilityIsPyTorchs() throws IOException {
        Path dir = SharedData.require("fixtures/tiny_sharp");
        JsonNode expected = JSON.readTree(dir.resolve("logits.json").toFile());
        int[] tokens = JSON.convertValue(expected.get("tokens"), int[].class);
        int t = tokens.length;
        try (ModelFiles model = ModelFiles.open(dir)) {
            Explanation e = Explainer.explain(model.transformer(), CHARS, "tiny_sharp", tokens, 5);
            JsonNode logSoftmax = expected.get("log_softmax");
            // logprobs: row p of the reference scores the token at p + 1
            assertThat(e.logprobs()).hasSize(t - 1);
            double sum = 0;
            for (int p = 0; p + 1 < t; p++) {
                double want = logSoftmax.get(p).get(tokens[p + 1]).asDouble();
                assertThat(e.logprobs()[p]).as("logprob of token %d", p + 1).isCloseTo(want, within(1e-5));
                sum += want;
            }
            assertThat(e.perplexity()).isCloseTo(Math.exp(-sum / (t - 1)), within(1e-4 * e.perplexity()));
            // every position's top-k: the k largest reference logits, their probabilities, the rest
            assertThat(e.positions()).hasSize(t);
            for (int p = 0; p < t; p++) {
                JsonNode logits = expected.get("logits").get(p);
                List<Integer> order = IntStream.range(0, logits.size()).boxed()
                        .sorted(Comparator.comparingDouble((Integer v) -> -logits.get(v).asDouble())).toList();
                List<Ranked> top = e.positions().get(p).top();
                assertThat(top).hasSize(5);
                double mass = 0;
                for (int i = 0; i < 5; i++) {
                    Ranked r = top.get(i);
                    assertThat(r.id()).as("position %d rank %d", p, i).isEqualTo(order.get(i));
                    assertThat(r.piece()).isEqualTo(CHARS.piece(r.id()));
                    assertThat((double) r.logit()).isCloseTo(logits.get(r.id()).asDouble(), within(1e-5));
                    assertThat(r.prob()).isCloseTo(Math.exp(logSoftmax.get(p).get(r.id()).asDouble()), within(1e-6));
                    mass += Math.exp(logSoftmax.get(p).get(r.id()).asDouble());
                }
                assertThat(e.positions().get(p).restProb()).isCloseTo(1 - mass, within(1e-6));
            }
            List<Ranked> last = e.positions().getLast().top();
            assertThat(e.next().top()).extracting(Candidate::id).containsExactlyElementsOf(last.stream().map(Ranked::id).toList());
            assertThat(e.next().restProb()).isEqualTo(e.positions().getLast().restProb());
        }
    }

    @Test
    void temperaturesResoftmaxTheTopKLogits() throws IOException {
        try (ModelFiles model = ModelFiles.open(SharedData.require("fixtures/tiny_sharp"))) {
            Explanation e = Explainer.explain(model.transformer(), CHARS, "tiny_sharp", new int[] {3, 1, 4, 1, 5, 9, 2, 6}, 7);
            assertThat(e.temperatures().keySet()).containsExactly("0.5", "1", "2");
            List<Ranked> top = e.positions().getLast().top();
            for (double temperature : new double[] {0.5, 1, 2}) {
                List<Candidate> entries = e.temperatures().get(Explainer.label(temperature));
                double z = top.stream().mapToDouble(r -> Math.exp(r.logit() / temperature)).sum();
                assertThat(entries).hasSize(top.size());
                for (int i = 0; i < top.size(); i++) {
                    assertThat(entries.get(i).id()).isEqualTo(top.get(i).id());
                    assertThat(entries.get(i).prob()).as("T=%s rank %d", temperature, i)
                            .isCloseTo(Math.exp(top.get(i).logit() / temperature) / z, within(1e-6));
                }
            }
            // at T = 1 the top-k keep their true proportions
            double kept = 1 - e.next().restProb();
            for (int i = 0; i < top.size(); i++) {
                assertThat(e.temperatures().get("1").get(i).prob()).isCloseTo(top.get(i).prob() / kept, within(1e-5));
            }
            // a cooler softmax is sharper: the favourite gains
            assertThat(e.temperatures().get("0.5").getFirst().prob()).isGreaterThan(e.temperatures().get("1").getFirst().prob());
            assertThat(e.temperatures().get("2").getFirst().prob()).isLessThan(e.temperatures().get("1").getFirst().prob());
        }
    }

    @Test
    void logprobsAreTheScorersAndTheLastLensIsTheModelsPrediction() {
        Path gguf = SharedData.require("models/stories260K.gguf");
        try (ModelFiles model = ModelFiles.open(gguf)) {
            Tokenizer tokenizer = TokenizerLoader.fromGguf(gguf);
            int[] tokens = tokenizer.encodeSequence("Once upon a time, there was a little dog named Spot. He liked to run");
            Explanation e = Explainer.explain(model.transformer(), tokenizer, "stories260K", tokens, 10);
            Scorer.Score score = Scorer.score(model.transformer(), tokens);
            assertThat(e.logprobs()).containsExactly(score.logprobs(), within(1e-4));
            assertThat(e.perplexity()).isCloseTo(score.perplexity(), within(1e-4 * score.perplexity()));
            assertThat(e.tokens().getFirst().piece()).isEqualTo(tokenizer.piece(1));
            assertThat(e.tokens()).extracting(Explanation.Token::id).containsExactly(IntStream.of(tokens).boxed().toArray(Integer[]::new));
            // the attention of every layer and head: [query][key], causal rows of a softmax
            assertThat(e.attention()).hasDimensions(5, 8);
            assertThat(e.attention()[0][0]).hasDimensions(tokens.length, tokens.length);
            // the lens after the last block is the model's own prediction
            assertThat(e.logitLens()).hasSize(5);
            Iterator<Candidate> lens = e.logitLens().getLast().iterator();
            for (Candidate c : e.next().top()) {
                Candidate l = lens.next();
                assertThat(l.id()).isEqualTo(c.id());
                assertThat(l.prob()).isCloseTo(c.prob(), within(1e-5));
            }
            // descending true probabilities
            List<Double> probs = new ArrayList<>(e.next().top().stream().map(Candidate::prob).toList());
            assertThat(probs).isSortedAccordingTo(Comparator.reverseOrder());
        }
    }

    @Test
    void oneTokenHasAPredictionButNoPerplexity() throws IOException {
        try (ModelFiles model = ModelFiles.open(SharedData.require("fixtures/tiny"))) {
            Explanation e = Explainer.explain(model.transformer(), CHARS, "tiny", new int[] {7}, 3);
            assertThat(e.logprobs()).isEmpty();
            assertThat(e.perplexity()).isNull();
            assertThat(e.next().top()).hasSize(3);
            assertThat(JSON.readTree(ExplanationJson.write(e)).get("perplexity").isNull()).isTrue();
            assertThatThrownBy(() -> Explainer.explain(model.transformer(), CHARS, "tiny", new int[] {7}, 0))
                    .isInstanceOf(JgptException.class).hasMessageContaining("top-k");
        }
    }

    @Test
    void jsonHasTheDocumentedShape() throws IOException {
        try (ModelFiles model = ModelFiles.open(SharedData.require("fixtures/tiny"))) {
            int[] tokens = {1, 5, 9, 13, 2};
            JsonNode json = JSON.readTree(ExplanationJson.write(Explainer.explain(model.transformer(), CHARS, "tiny", tokens, 4)));
            assertThat(names(json)).containsExactly("model", "tokens", "next", "temperatures", "logprobs", "perplexity",
                    "attention", "logit_lens", "positions");
            assertThat(names(json.get("tokens").get(0))).containsExactly("id", "piece");
            assertThat(json.get("tokens").get(1).get("piece").asText()).isEqualTo("F");
            assertThat(names(json.get("next"))).containsExactly("top", "rest_prob");
            assertThat(names(json.get("next").get("top").get(0))).containsExactly("id", "piece", "prob");
            assertThat(names(json.get("temperatures"))).containsExactly("0.5", "1", "2");
            assertThat(names(json.get("temperatures").get("2").get(3))).containsExactly("id", "piece", "prob");
            assertThat(json.get("logprobs")).hasSize(4);
            assertThat(json.get("attention")).hasSize(2);
            assertThat(json.get("attention").get(1)).hasSize(2);
            assertThat(json.get("attention").get(1).get(0)).hasSize(5);
            assertThat(json.get("attention").get(1).get(0).get(2)).hasSize(5);
            assertThat(json.get("attention").get(1).get(0).get(2).get(3).asDouble()).isZero();
            assertThat(json.get("logit_lens")).hasSize(2);
            assertThat(names(json.get("logit_lens").get(0).get(0))).containsExactly("id", "piece", "prob");
            assertThat(json.get("positions")).hasSize(5);
            assertThat(names(json.get("positions").get(0))).containsExactly("top", "rest_prob");
            assertThat(names(json.get("positions").get(0).get("top").get(0))).containsExactly("id", "piece", "logit", "prob");
            assertThat(json.get("model").get("name").asText()).isEqualTo("tiny");
            assertThat(json.get("model").get("vocab_size").asInt()).isEqualTo(64);
        }
    }

    private static List<String> names(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
