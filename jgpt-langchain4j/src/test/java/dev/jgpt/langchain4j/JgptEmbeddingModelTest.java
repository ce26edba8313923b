package dev.jgpt.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.jgpt.TinyModels;
import dev.jgpt.generate.Embeddings;
import dev.jgpt.generate.LanguageModel;
import dev.jgpt.tensor.DType;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.embedding.request.EmbeddingRequest;
import dev.langchain4j.model.output.Response;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedding model gives jgpt's own embeddings, unit length, with the texts' token counts. */
class JgptEmbeddingModelTest {
    private static final List<String> TEXTS = List.of("the cat sat on the mat", "a model reads the tokens it was given");

    @Test
    void eachTextGetsJgptsL2NormalisedEmbeddingAndTheUsageCountsItsTokens(@TempDir Path dir) {
        try (LanguageModel lm = LanguageModel.open(TinyModels.gpt2Folder(dir, DType.F32))) {
            for (Embeddings.Pooling pooling : Embeddings.Pooling.values()) {
                JgptEmbeddingModel model = new JgptEmbeddingModel(lm, pooling, "tiny");
                Response<List<Embedding>> response = model.embedAll(TEXTS.stream().map(TextSegment::from).toList());
                int tokens = 0;
                for (int i = 0; i < TEXTS.size(); i++) {
                    int[] ids = lm.tokenizer().encodeSequence(TEXTS.get(i));
                    tokens += ids.length;
                    float[] vector = response.content().get(i).vector();
                    assertThat(vector).containsExactly(Embeddings.of(lm.transformer(), ids, pooling));
                    double norm = 0;
                    for (float v : vector) {
                        norm += v * v;
                    }
                    assertThat(Math.sqrt(norm)).isCloseTo(1, within(1e-5));
                }
                assertThat(response.tokenUsage().inputTokenCount()).isEqualTo(tokens);
                assertThat(model.dimension()).isEqualTo(lm.config().embd()).isEqualTo(response.content().get(0).dimension());
                assertThat(model.embed(TEXTS.get(0)).content()).isEqualTo(response.content().get(0));
            }
        }
    }

    @Test
    void aPerCallParameterIsRefusedByName(@TempDir Path dir) {
        try (LanguageModel lm = LanguageModel.open(TinyModels.gpt2Folder(dir, DType.F32))) {
            JgptEmbeddingModel model = new JgptEmbeddingModel(lm);
            assertThat(model.modelName()).isEqualTo(dir.getFileName().toString());
            assertThatThrownBy(() -> model.embed(EmbeddingRequest.builder().input("hi").dimensions(8).build()))
                    .isInstanceOf(UnsupportedFeatureException.class).hasMessageContaining("dimensions");
        }
    }
}
