package dev.jgpt.model;

import dev.jgpt.JgptException;

/**
 * The shape of a transformer: {@code layers} blocks of width {@code embd}; {@code heads} query
 * heads sharing {@code kvHeads} key/value heads (grouped-query attention: heads / kvHeads query
 * heads read each; kvHeads = heads is plain multi-head attention); an MLP of width
 * {@code mlpHidden}; a context window of {@code contextLength} positions. {@code architecture}
 * says what the blocks are made of; {@code tiedOutput} that the unembedding is the token embedding.
 * Heads are {@code headSize} wide: embd / heads unless a family says otherwise (Gemma, Qwen3).
 */
public record ModelConfig(Architecture architecture, int layers, int heads, int kvHeads, int embd, int mlpHidden,
                          int contextLength, int vocabSize, float normEps, boolean tiedOutput, int headSize) {

    public ModelConfig {
        require(architecture != null, "no architecture");
        require(layers > 0, "n_layer must be positive, got " + layers);
        require(heads > 0, "n_head must be positive, got " + heads);
        require(embd > 0, "n_embd must be positive, got " + embd);
        require(headSize > 0, "the head size must be positive, got " + headSize);
        require(kvHeads > 0 && heads % kvHeads == 0,
                "the key/value head count (" + kvHeads + ") must divide the head count (" + heads + ")");
        require(mlpHidden > 0, "the MLP width must be positive, got " + mlpHidden);
        require((long) heads * headSize + 2L * kvHeads * headSize <= Integer.MAX_VALUE,
                "n_embd (" + embd + ") is too large: the queries, keys and values of a position do not fit an array");
        require(contextLength > 0, "n_positions must be positive, got " + contextLength);
        require(vocabSize > 0, "vocab_size must be positive, got " + vocabSize);
        require(normEps > 0, "layer_norm_epsilon must be positive, got " + normEps);
        Rope rope = architecture.rope();
        require(rope == null || rope.dimensions() <= headSize,
                "rotary embedding of " + (rope == null ? 0 : rope.dimensions()) + " dimensions in heads of " + headSize);
    }

    /** A config whose heads are embd / heads wide. */
    public ModelConfig(Architecture architecture, int layers, int heads, int kvHeads, int embd, int mlpHidden,
                       int contextLength, int vocabSize, float normEps, boolean tiedOutput) {
        this(architecture, layers, heads, kvHeads, embd, mlpHidden, contextLength, vocabSize, normEps, tiedOutput,
                evenHeads(embd, heads));
    }

    private static int evenHeads(int embd, int heads) {
        require(heads > 0, "n_head must be positive, got " + heads);
        require(embd > 0 && embd % heads == 0, "n_embd (" + embd + ") must be a positive multiple of n_head (" + heads + ")");
        return embd / heads;
    }

    /** A GPT-2 shape with the usual 4× MLP and epsilon 1e-5. */
    public static ModelConfig gpt2(int layers, int heads, int embd, int contextLength, int vocabSize) {
        return new ModelConfig(Architecture.GPT2, layers, heads, heads, embd, multiply(4, embd, "n_embd", "the MLP width 4 × n_embd"),
                contextLength, vocabSize, 1e-5f, true);
    }

    /**
     * {@code factor × value} for a width derived from the config field {@code field} (holding
     * {@code value}), or a clear error naming the field when the product overflows an int.
     */
    public static int multiply(int factor, int value, String field, String product) {
        try {
            return Math.multiplyExact(factor, value);
        } catch (ArithmeticException e) {
            throw new JgptException("model config: " + field + " (" + value + ") is too large: " + product + " overflows");
        }
    }

    /** Q: the width of all queries (and of the attention's output), E unless heads are sized apart. */
    public int queryDim() {
        return heads * headSize();
    }

    /** K: the width of the keys, and of the values, at one position. */
    public int kvDim() {
        return kvHeads * headSize();
    }

    /** Number of weights (a tied unembedding counted once). */
    public long parameterCount() {
        long e = embd;
        long q = queryDim();
        long k = kvDim();
        boolean others = architecture.otherBiases();
        long norms = others ? 2 * e : e;
        long mlpMatrices = architecture.mlp().gated() ? 3 : 2;
        Architecture.Features f = architecture.features();
        long extraNorms = (f.norms() == Architecture.NormPlacement.PRE_AND_POST ? 2 * e : 0)
                + switch (f.qkNorm()) {
                    case NONE -> 0;
                    case WHOLE -> q + k;
                    case PER_HEAD -> 2L * headSize;
                };
        long perLayer = 2 * norms + extraNorms
                + e * (q + 2 * k) + (architecture.qkvBias() ? q + 2 * k : 0)                      // q, k, v
                + q * e + (others ? e : 0)                                                        // attention output
                + mlpMatrices * e * mlpHidden + (others ? (mlpMatrices - 1) * mlpHidden + e : 0); // MLP
        return (long) vocabSize * e * (tiedOutput ? 1 : 2)
                + (architecture.learnedPositions() ? (long) contextLength * e : 0)
                + layers * perLayer + norms;
    }

    /** Bytes of an F32 KV cache holding {@code positions} positions. */
    public long kvCacheBytes(int positions) {
        return 2L * layers * positions * kvDim() * Float.BYTES;
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
