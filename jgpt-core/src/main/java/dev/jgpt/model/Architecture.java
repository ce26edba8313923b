package dev.jgpt.model;

/**
 * What sets one transformer family apart, as data that the one forward pass reads: the norm,
 * how positions enter, the MLP and which linear maps carry biases.
 *
 * @param name  the family's name as GGUF's {@code general.architecture} spells it
 * @param norm  the normalisation before attention, before the MLP and at the end
 * @param mlp   the feed-forward block
 * @param biases which linear maps (and norms) have a bias
 * @param rope  rotary position embeddings applied to queries and keys, or null for learned
 *              absolute positions added to the token embedding (GPT-2)
 */
public record Architecture(String name, Norm norm, Mlp mlp, Biases biases, Rope rope) {

    public enum Norm {
        /** (x − mean) / √(var + eps) · γ + β. */
        LAYER_NORM,
        /** x / √(mean(x²) + eps) · γ: no centring, no bias. */
        RMS_NORM
    }

    public enum Mlp {
        /** down(gelu(up(x))), GELU in its tanh approximation. */
        GELU,
        /** down(silu(gate(x)) · up(x)). */
        SWIGLU
    }

    public enum Biases {
        NONE,
        /** Only the query, key and value projections (Qwen2). */
        QKV,
        /** Every linear map and every norm (GPT-2). */
        ALL
    }

    /** GPT-2: pre-LayerNorm, GELU MLP, learned positions, biases everywhere. */
    public static final Architecture GPT2 = new Architecture("gpt2", Norm.LAYER_NORM, Mlp.GELU, Biases.ALL, null);

    public Architecture {
        if (name == null || norm == null || mlp == null || biases == null) {
            throw new IllegalArgumentException("an architecture needs a name, a norm, an MLP and a bias rule");
        }
    }

    /** Llama (and Mistral, TinyLlama, SmolLM): RMSNorm, rotary positions, SwiGLU, no biases. */
    public static Architecture llama(Rope rope) {
        return new Architecture("llama", Norm.RMS_NORM, Mlp.SWIGLU, Biases.NONE, rope);
    }

    /** Qwen2: Llama with biases on q, k and v (and rotary positions on halves, {@link Rope.Style#NEOX}). */
    public static Architecture qwen2(Rope rope) {
        return new Architecture("qwen2", Norm.RMS_NORM, Mlp.SWIGLU, Biases.QKV, rope);
    }

    public boolean learnedPositions() {
        return rope == null;
    }

    public boolean qkvBias() {
        return biases != Biases.NONE;
    }

    /** Biases on the attention output, the MLP's maps and the norms. */
    public boolean otherBiases() {
        return biases == Biases.ALL;
    }

    /** One line for people: "pre-RMSNorm, SwiGLU MLP, rotary positions (NORM, base 10000)". */
    public String describe() {
        String positions = rope == null ? "learned positions" : "rotary positions (" + rope.describe() + ")";
        return "pre-" + (norm == Norm.LAYER_NORM ? "LayerNorm" : "RMSNorm") + ", "
                + (mlp == Mlp.GELU ? "GELU" : "SwiGLU") + " MLP, " + positions
                + (biases == Biases.QKV ? ", q/k/v biases" : "");
    }

    @Override
    public String toString() {
        return name;
    }
}
