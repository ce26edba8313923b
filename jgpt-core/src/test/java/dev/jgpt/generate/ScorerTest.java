package dev.jgpt.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;
import static org.assertj.core.api.Assertions.withinPercentage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jgpt.JgptException;
import dev.jgpt.SharedData;
import dev.jgpt.model.load.ModelFiles;
import java.io.IOException;
import java.util.Arrays;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Scoring stories260K.gguf on ../shared/reference/stories_eval.txt: as one sequence against an
 * independent float64 forward pass, and in chunks against llama.cpp's llama-perplexity.
 */
class ScorerTest {
    private static final int BOS = 1;
    private static ModelFiles model;
    private static JsonNode reference;
    private static int[] tokens;

    @BeforeAll
    static void open() throws IOException {
        reference = new ObjectMapper().readTree(SharedData.require("reference/stories_eval_score.json").toFile());
        model = ModelFiles.open(SharedData.require("models/stories260K.gguf"));
        tokens = new int[reference.get("tokens").size()];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = reference.get("tokens").get(i).asInt();
        }
    }

    @AfterAll
    static void close() {
        if (model != null) {
            model.close();
        }
    }

    @Test
    void oneSequenceMatchesTheFloat64ReferenceTokenByToken() {
        Scorer.Score score = Scorer.score(model.transformer(), tokens);
        JsonNode want = reference.get("logprobs");
        assertThat(score.logprobs()).hasSize(want.size());
        for (int i = 0; i < want.size(); i++) {
            assertThat(score.positions()[i]).isEqualTo(i + 1);
            assertThat(score.logprobs()[i]).as("logprob of token %d", i + 1).isCloseTo(want.get(i).asDouble(), offset(1e-4));
        }
        assertThat(score.perplexity()).isCloseTo(reference.get("perplexity").asDouble(), offset(1e-4));
        assertThat(String.format("%.4f", score.perplexity())).isEqualTo("3.4648");
    }

    @Test
    void chunksOf128GiveLlamaPerplexityResult() {
        Scorer.Score score = Scorer.scoreChunked(model.transformer(), tokens, 128, OptionalInt.of(BOS));
        assertThat(score.perplexity()).isCloseTo(3.4327, withinPercentage(0.1));
        // 968 tokens: 7 whole chunks, each counting the tokens at chunk positions 65..127
        assertThat(score.logprobs()).hasSize(7 * 63);
        assertThat(score.positions()[0]).isEqualTo(65);
        assertThat(score.positions()[63]).isEqualTo(128 + 65);
        assertThat(score.positions()[7 * 63 - 1]).isEqualTo(7 * 128 - 1);
    }

    @Test
    void aChunkScoresAsItsOwnSequenceStartingWithBos() {
        Scorer.Score chunked = Scorer.scoreChunked(model.transformer(), tokens, 128, OptionalInt.of(BOS));
        int[] third = Arrays.copyOfRange(tokens, 256, 384);
        third[0] = BOS;
        Scorer.Score alone = Scorer.score(model.transformer(), third);
        for (int i = 0; i < 63; i++) {
            assertThat(chunked.logprobs()[2 * 63 + i]).isCloseTo(alone.logprobs()[64 + i], offset(1e-5));
        }
    }

    @Test
    void badChunksAreClearErrors() {
        assertThatThrownBy(() -> Scorer.scoreChunked(model.transformer(), tokens, 600, OptionalInt.of(BOS)))
                .isInstanceOf(JgptException.class).hasMessageContaining("at least 1200 tokens");
        assertThatThrownBy(() -> Scorer.scoreChunked(model.transformer(), tokens, 2, OptionalInt.of(BOS)))
                .isInstanceOf(JgptException.class).hasMessageContaining("3 to 2048");
        assertThatThrownBy(() -> Scorer.scoreChunked(model.transformer(), tokens, 128, OptionalInt.of(512)))
                .isInstanceOf(JgptException.class).hasMessageContaining("token id 512");
    }
}
