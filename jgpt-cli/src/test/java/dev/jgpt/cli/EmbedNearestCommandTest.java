package dev.jgpt.cli;

import static dev.jgpt.cli.CliTest.jgpt;
import static dev.jgpt.cli.ExplainCommandTest.shared;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jgpt.cli.CliTest.Run;
import dev.jgpt.format.SafeTensors;
import dev.jgpt.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jgpt embed-nearest} on the shipped model (checked against cosines computed here), a GGUF llama and a Q8_0 copy. */
class EmbedNearestCommandTest {
    @TempDir
    static Path dir;

    @Test
    void neighboursOnTheShippedModelAreTheCosinesOfItsEmbeddingRows() throws IOException {
        Run run = jgpt("embed-nearest", "--json", "--top", "5", "--space", "king");
        assertThat(run.exit()).as(run.err()).isZero();
        JsonNode query = run.json().get("queries").get(0);
        assertThat(query.get("terms").get(0).get("tokens")).hasSize(1);
        int king = query.get("terms").get(0).get("tokens").get(0).get("id").asInt();
        assertThat(query.get("terms").get(0).get("tokens").get(0).get("piece").asText()).isEqualTo(" king");
        assertThat(query.get("notes")).isEmpty();
        try (SafeTensors weights = SafeTensors.open(DefaultModel.folder().orElseThrow().resolve("model.safetensors"))) {
            Tensor wte = weights.require("wte.weight");
            float[] table = wte.toFloatArray();
            int width = (int) wte.shape()[1];
            int vocab = (int) wte.shape()[0];
            // the five best of a float64 search over every other row
            List<Integer> want = new ArrayList<>();
            double[] cosines = new double[vocab];
            for (int id = 0; id < vocab; id++) {
                cosines[id] = id == king ? Double.NEGATIVE_INFINITY : cosine(table, king, id, width);
            }
            for (int i = 0; i < 5; i++) {
                int best = 0;
                for (int id = 1; id < vocab; id++) {
                    if (cosines[id] > cosines[best]) {
                        best = id;
                    }
                }
                want.add(best);
                cosines[best] = Double.NEGATIVE_INFINITY;
            }
            JsonNode nearest = query.get("nearest");
            for (int i = 0; i < 5; i++) {
                int id = nearest.get(i).get("id").asInt();
                assertThat(id).isEqualTo(want.get(i));
                assertThat(nearest.get(i).get("similarity").asDouble()).isCloseTo(cosine(table, king, id, width), within(1e-5));
            }
        }
        assertThat(run.json().get("embedding").get("tensor").asText()).isEqualTo("wte.weight");
    }

    @Test
    void arithmeticLeavesOutEveryQueryToken() throws IOException {
        JsonNode quoted = jgpt("embed-nearest", "--json", "--space", "king - man + woman").json();
        JsonNode split = jgpt("embed-nearest", "--json", "--space", "king", "-", "man", "+", "woman").json();
        assertThat(split).isEqualTo(quoted);
        JsonNode query = quoted.get("queries").get(0);
        assertThat(query.get("terms")).extracting(t -> t.get("sign").asInt()).containsExactly(1, -1, 1);
        List<Integer> used = new ArrayList<>();
        query.get("terms").forEach(t -> t.get("tokens").forEach(token -> used.add(token.get("id").asInt())));
        assertThat(query.get("nearest")).hasSize(10).extracting(n -> n.get("id").asInt()).doesNotContainAnyElementsOf(used);
        // this small model learned it too: the Shakespeare vocabulary's queen comes first
        assertThat(query.get("nearest").get(0).get("piece").asText()).isEqualTo(" queen");
    }

    @Test
    void aWordCutIntoSeveralTokensIsSaidAndMeaned() throws IOException {
        Run run = jgpt("embed-nearest", "queen");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("note: \"queen\" is 2 tokens here", "the mean of their embeddings stands for it",
                "(\" queen\" is one token: try --space)", "cosine similarity");
        JsonNode query = jgpt("embed-nearest", "--json", "queen").json().get("queries").get(0);
        assertThat(query.get("terms").get(0).get("tokens")).hasSize(2);
        assertThat(query.get("notes")).hasSize(1);
        // several words: one query each
        assertThat(jgpt("embed-nearest", "--json", "--space", "king", "queen").json().get("queries")).hasSize(2);
    }

    @Test
    void aGgufLlamaAndAQuantizedCopyFindNeighboursAlike() throws IOException {
        Path gguf = shared("models/stories260K.gguf");
        Path q8 = dir.resolve("stories-q8_0.gguf");
        assertThat(jgpt("quantize", gguf.toString(), q8.toString(), "--type", "q8_0").exit()).isZero();
        JsonNode f32 = jgpt("embed-nearest", "--model", gguf.toString(), "--json", "--top", "5", "cat - dog").json();
        Run quantized = jgpt("embed-nearest", "--model", q8.toString(), "--json", "--top", "5", "cat - dog");
        assertThat(quantized.exit()).as(quantized.err()).isZero();
        assertThat(quantized.json().get("embedding").get("dtype").asText()).isEqualTo("Q8_0");
        JsonNode a = f32.get("queries").get(0).get("nearest");
        JsonNode b = quantized.json().get("queries").get(0).get("nearest");
        assertThat(b.get(0).get("id")).isEqualTo(a.get(0).get("id"));
        for (int i = 0; i < 5; i++) {
            assertThat(b.get(i).get("similarity").asDouble()).isCloseTo(a.get(i).get("similarity").asDouble(), within(0.02));
        }
        // SentencePiece puts the space itself: "cat" is " c" "at" here
        assertThat(f32.get("queries").get(0).get("notes").get(0).asText()).contains("\"cat\" is 2 tokens");
    }

    @Test
    void badQueriesAreOneLineErrors() {
        for (String[] args : List.of(new String[] {"embed-nearest", "king - "}, new String[] {"embed-nearest", "--top", "0", "king"},
                new String[] {"embed-nearest", "--space", "king - king"})) {
            Run run = jgpt(args);
            assertThat(run.exit()).isNotZero();
            assertThat(run.err().strip().lines()).hasSize(1);
            assertThat(run.err()).startsWith("jgpt: ").doesNotContain("Exception");
        }
        assertThat(jgpt("embed-nearest", "--space", "king - king").err()).contains("zero vector");
    }

    private static double cosine(float[] table, int a, int b, int width) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < width; i++) {
            double x = table[a * width + i];
            double y = table[b * width + i];
            dot += x * y;
            na += x * x;
            nb += y * y;
        }
        return dot / Math.sqrt(na * nb);
    }
}
