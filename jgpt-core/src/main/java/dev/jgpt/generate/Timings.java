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
    public double promptMillis() {
        return promptNanos / 1e6;
    }

    public double generationMillis() {
        return generationNanos / 1e6;
    }

    public double promptTokensPerSecond() {
        return promptNanos == 0 ? 0 : promptTokens / (promptNanos / 1e9);
    }

    public double generationTokensPerSecond() {
        return generationNanos == 0 ? 0 : generatedTokens / (generationNanos / 1e9);
    }
}
