package dev.jgpt.langchain4j;

import dev.jgpt.generate.Embeddings;
import dev.jgpt.generate.LanguageModel;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.request.EmbeddingInput;
import dev.langchain4j.model.embedding.request.EmbeddingRequest;
import dev.langchain4j.model.embedding.response.EmbeddingResponse;
import dev.langchain4j.model.embedding.response.EmbeddingResponseMetadata;
import dev.langchain4j.model.output.TokenUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A jgpt model as a LangChain4j {@link EmbeddingModel}, run in this process: each text's embedding
 * is {@link LanguageModel#embed(String, Embeddings.Pooling)}, the final-norm hidden states pooled
 * (mean by default) and L2-normalised; the usage counts the texts' tokens. Per-call parameters
 * (model name, dimensions, input type) are refused by LangChain4j itself, naming them.
 */
public final class JgptEmbeddingModel implements EmbeddingModel {
    private final LanguageModel model;
    private final Embeddings.Pooling pooling;
    private final String modelName;

    /** @param modelName the name responses carry; null for the model file's or folder's name */
    public JgptEmbeddingModel(LanguageModel model, Embeddings.Pooling pooling, String modelName) {
        this.model = Objects.requireNonNull(model, "model");
        this.pooling = Objects.requireNonNull(pooling, "pooling");
        this.modelName = modelName != null ? modelName : Names.of(model);
    }

    /** Mean pooling, named after the model's file or folder. */
    public JgptEmbeddingModel(LanguageModel model) {
        this(model, Embeddings.Pooling.MEAN, null);
    }

    @Override
    public EmbeddingResponse doEmbed(EmbeddingRequest request) {
        List<Embedding> embeddings = new ArrayList<>();
        int tokens = 0;
        for (EmbeddingInput input : request.inputs()) {
            int[] ids = model.tokenizer().encodeSequence(input.text());
            synchronized (model) { // one forward pass at a time on the model, as chat requests take turns
                embeddings.add(Embedding.from(model.embed(ids, pooling)));
            }
            tokens += ids.length;
        }
        return EmbeddingResponse.builder().embeddings(embeddings).metadata(EmbeddingResponseMetadata.builder()
                .modelName(modelName).tokenUsage(new TokenUsage(tokens)).build()).build();
    }

    @Override
    public int dimension() {
        return model.config().embd();
    }

    @Override
    public String modelName() {
        return modelName;
    }
}
