package dev.jgpt.generate;

/**
 * The outcome of one generation.
 *
 * @param promptTokens the prompt's ids
 * @param tokens       the new ids (a stop string's tokens included, though not its text)
 * @param text         the new text, cut before a stop string
 * @param finishReason why generation ended
 * @param timings      how long the prompt and the new tokens took
 */
public record Generation(int[] promptTokens, int[] tokens, String text, FinishReason finishReason, Timings timings) {
}
