package dev.jgpt.model;

import dev.jgpt.JgptException;

/**
 * The shape of a GPT: {@code layers} blocks of width {@code embd}, {@code heads} attention heads,
 * an MLP of width {@code mlpHidden}, a context window of {@code contextLength} positions.
 */
public record ModelConfig(String architecture, int layers, int heads, int embd, int mlpHidden,
                          int contextLength, int vocabSize, float normEps) {

    public ModelConfig {
        require(layers > 0, "n_layer must be positive, got " + layers);
        require(heads > 0, "n_head must be positive, got " + heads);
        require(embd > 0 && embd % heads == 0, "n_embd (" + embd + ") must be a positive multiple of n_head (" + heads + ")");
        require(mlpHidden > 0, "the MLP width must be positive, got " + mlpHidden);
        require(contextLength > 0, "n_positions must be positive, got " + contextLength);
        require(vocabSize > 0, "vocab_size must be positive, got " + vocabSize);
        require(normEps > 0, "layer_norm_epsilon must be positive, got " + normEps);
    }

    /** A GPT-2 shape with the usual 4× MLP and epsilon 1e-5. */
    public static ModelConfig gpt2(int layers, int heads, int embd, int contextLength, int vocabSize) {
        return new ModelConfig("gpt2", layers, heads, embd, 4 * embd, contextLength, vocabSize, 1e-5f);
    }

    public int headSize() {
        return embd / heads;
    }

    /** Number of weights (tied unembedding counted once). */
    public long parameterCount() {
        long perLayer = 2L * 2 * embd                       // two LayerNorms
                + (long) embd * 3 * embd + 3L * embd        // qkv projection
                + (long) embd * embd + embd                 // attention output projection
                + (long) embd * mlpHidden + mlpHidden       // MLP up
                + (long) mlpHidden * embd + embd;           // MLP down
        return (long) vocabSize * embd + (long) contextLength * embd + layers * perLayer + 2L * embd;
    }

    /** Throws a clear error unless {@code token} is an id of this model's vocabulary. */
    public void checkToken(int token) {
        if (token < 0 || token >= vocabSize) {
            throw new JgptException("token id " + token + " is outside the vocabulary (0.." + (vocabSize - 1) + ")");
        }
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new JgptException("model config: " + message);
        }
    }
}
