package dev.jgpt.generate;

/**
 * How long the prompt and the new tokens took.
 *
 * @param promptTokens the prompt tokens run through the model: fewer than the prompt's when the
 *                     start of the prompt was already in the KV cache
 * @param promptNanos     the time the prompt took
 * @param generatedTokens the new tokens
 * @param generationNanos the time the new tokens took
 */
public record Timings(int promptTokens, long promptNanos, int generatedTokens, long generationNanos) {
    /**
     * The time the prompt took.
     *
     * @return {@code promptNanos} in milliseconds
     */
    public double promptMillis() {
        return promptNanos / 1e6;
    }

    /**
     * The time the new tokens took.
     *
     * @return {@code generationNanos} in milliseconds
     */
    public double generationMillis() {
        return generationNanos / 1e6;
    }

    /**
     * The prompt's speed.
     *
     * @return prompt tokens run per second; 0 when no time was measured
     */
    public double promptTokensPerSecond() {
        return promptNanos == 0 ? 0 : promptTokens / (promptNanos / 1e9);
    }

    /**
     * The generation's speed.
     *
     * @return new tokens per second; 0 when no time was measured
     */
    public double generationTokensPerSecond() {
        return generationNanos == 0 ? 0 : generatedTokens / (generationNanos / 1e9);
    }
}
