package dev.jgpt.server;

import dev.jgpt.generate.Embeddings;
import java.util.List;

/**
 * A validated {@code POST /v1/embeddings}: the inputs' token ids, how to pool, and whether to send the vectors as base64.
 *
 * @param base64 {@code encoding_format} base64: each vector as its little-endian float32 bytes
 */
record EmbeddingRequest(List<int[]> inputs, Embeddings.Pooling pooling, boolean base64) {
    /** Most inputs in one request (OpenAI's bound). */
    static final int MAX_INPUTS = 2048;

    int promptTokens() {
        return inputs.stream().mapToInt(ids -> ids.length).sum();
    }
}
