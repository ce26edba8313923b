package dev.jgpt.sampling;

import dev.jgpt.JgptException;

/**
 * How the next token is chosen from the logits.
 *
 * @param temperature       0 = greedy (always the most likely token); otherwise logits are divided
 *                          by it before the softmax: below 1 sharpens, above 1 flattens; at most 2
 * @param topK              keep only the k most likely tokens (0 = off)
 * @param topP              keep the smallest set of most likely tokens whose probability sums to at least p (1 = off)
 * @param minP              drop tokens less likely than minP × the most likely one (0 = off)
 * @param repetitionPenalty divide positive logits (multiply negative ones) of tokens already in the
 *                          context by this (1 = off)
 * @param seed              seed of the random generator: the same seed gives the same text
 * @param presencePenalty   subtracted once from the logit of every token already in the context
 *                          (OpenAI's presence_penalty; -2..2, 0 = off)
 * @param frequencyPenalty  subtracted from a token's logit once per time it is in the context
 *                          (OpenAI's frequency_penalty; -2..2, 0 = off)
 */
public record SamplerSettings(float temperature, int topK, float topP, float minP, float repetitionPenalty, long seed,
                              float presencePenalty, float frequencyPenalty) {
    public static final float MAX_TEMPERATURE = 2f;
    /** The largest presence or frequency penalty either way, as OpenAI bounds them. */
    public static final float MAX_PENALTY = 2f;

    public SamplerSettings {
        if (!(temperature >= 0 && temperature <= MAX_TEMPERATURE)) {
            throw new JgptException("temperature must be between 0 (greedy) and " + MAX_TEMPERATURE + ", got " + temperature);
        }
        if (topK < 0) {
            throw new JgptException("top-k must be 0 (off) or a positive count, got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new JgptException("top-p must be in (0, 1] (1 = off), got " + topP);
        }
        if (!(minP >= 0 && minP < 1)) {
            throw new JgptException("min-p must be in [0, 1) (0 = off), got " + minP);
        }
        if (!(repetitionPenalty > 0 && Float.isFinite(repetitionPenalty))) {
            throw new JgptException("repetition penalty must be positive (1 = off), got " + repetitionPenalty);
        }
        if (!(Math.abs(presencePenalty) <= MAX_PENALTY)) {
            throw new JgptException("presence penalty must be between -" + MAX_PENALTY + " and " + MAX_PENALTY + ", got " + presencePenalty);
        }
        if (!(Math.abs(frequencyPenalty) <= MAX_PENALTY)) {
            throw new JgptException("frequency penalty must be between -" + MAX_PENALTY + " and " + MAX_PENALTY + ", got " + frequencyPenalty);
        }
    }

    /** Settings without presence and frequency penalties. */
    public SamplerSettings(float temperature, int topK, float topP, float minP, float repetitionPenalty, long seed) {
        this(temperature, topK, topP, minP, repetitionPenalty, seed, 0f, 0f);
    }

    /** These settings with the given presence and frequency penalties. */
    public SamplerSettings withPenalties(float presence, float frequency) {
        return new SamplerSettings(temperature, topK, topP, minP, repetitionPenalty, seed, presence, frequency);
    }

    /** Whether any penalty changes the logits of tokens already in the context. */
    public boolean penalises() {
        return repetitionPenalty != 1f || presencePenalty != 0f || frequencyPenalty != 0f;
    }

    /** Always the most likely token. */
    public static SamplerSettings greedy() {
        return new SamplerSettings(0f, 0, 1f, 0f, 1f, 0L);
    }

    /** Sensible defaults for writing text: temperature 0.8, top-k 40, top-p 0.95, min-p 0.05. */
    public static SamplerSettings defaults(long seed) {
        return new SamplerSettings(0.8f, 40, 0.95f, 0.05f, 1f, seed);
    }

    public boolean isGreedy() {
        return temperature == 0f;
    }
}
