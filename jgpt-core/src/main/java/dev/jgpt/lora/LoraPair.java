package dev.jgpt.lora;

import dev.jgpt.tensor.LowRank;

/**
 * The two factors LoRA adds to one weight, as GGUF stores them (row-major): {@code a} [rank × in]
 * and {@code b} [out × rank], so that the weight [out × in] becomes {@code W + scale · B·A}.
 */
public record LoraPair(int in, int out, int rank, float[] a, float[] b) {

    public LoraPair {
        if (in <= 0 || out <= 0 || rank <= 0 || a.length != (long) rank * in || b.length != (long) out * rank) {
            throw new IllegalArgumentException("LoRA factors a[" + a.length + "], b[" + b.length + "] for a map " + in + " → "
                    + out + " of rank " + rank);
        }
    }

    /** The term this pair adds to its map at {@code scale} (the adapter's scale already worked out). */
    public LowRank term(float scale) {
        return LowRank.of(in, out, rank, a, b, scale);
    }
}
