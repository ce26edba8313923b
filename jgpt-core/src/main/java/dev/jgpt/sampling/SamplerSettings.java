package dev.jgpt.sampling;

import dev.jgpt.JgptException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How the next token is chosen from the logits. Made by {@link #builder()}, which starts from the
 * {@code DEFAULT_*} values (its setters take {@code double} and keep the nearest {@code float}):
 * <pre>{@code
 * SamplerSettings sampler = SamplerSettings.builder().temperature(0.7).topP(0.9).seed(42).build();
 * }</pre>
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
    /** The highest temperature. */
    public static final float MAX_TEMPERATURE = 2f;
    /** The largest presence or frequency penalty either way, as OpenAI bounds them. */
    public static final float MAX_PENALTY = 2f;
    /** The temperature a builder starts from. */
    public static final float DEFAULT_TEMPERATURE = 0.8f;
    /** The top-k a builder starts from. */
    public static final int DEFAULT_TOP_K = 40;
    /** The top-p a builder starts from. */
    public static final float DEFAULT_TOP_P = 0.95f;
    /** The min-p a builder starts from. */
    public static final float DEFAULT_MIN_P = 0.05f;
    /** The repetition penalty a builder starts from: off. */
    public static final float DEFAULT_REPETITION_PENALTY = 1f;

    /** Checks each value's range. */
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

    /**
     * Settings without presence and frequency penalties.
     *
     * @param temperature       0 = greedy; otherwise the logits' divisor before the softmax, at most 2
     * @param topK              keep only the k most likely tokens (0 = off)
     * @param topP              keep the most likely tokens whose probability sums to at least p, in (0, 1] (1 = off)
     * @param minP              drop tokens less likely than minP × the most likely one, in [0, 1) (0 = off)
     * @param repetitionPenalty the divisor of repeated tokens' positive logits, above 0 (1 = off)
     * @param seed              seed of the random generator: the same seed gives the same text
     * @throws JgptException when a value is out of its range (the message names it)
     */
    public SamplerSettings(float temperature, int topK, float topP, float minP, float repetitionPenalty, long seed) {
        this(temperature, topK, topP, minP, repetitionPenalty, seed, 0f, 0f);
    }

    /**
     * These settings with the given presence and frequency penalties.
     *
     * @param presence  the new {@link #presencePenalty()}, -2..2 (0 = off)
     * @param frequency the new {@link #frequencyPenalty()}, -2..2 (0 = off)
     * @return new settings, the other values unchanged
     * @throws JgptException when a penalty is out of its range
     */
    public SamplerSettings withPenalties(float presence, float frequency) {
        return new SamplerSettings(temperature, topK, topP, minP, repetitionPenalty, seed, presence, frequency);
    }

    /**
     * Whether any penalty changes the logits of tokens already in the context.
     *
     * @return true when the repetition penalty is not 1 or a presence or frequency penalty is not 0
     */
    public boolean penalises() {
        return repetitionPenalty != 1f || presencePenalty != 0f || frequencyPenalty != 0f;
    }

    /**
     * Always the most likely token.
     *
     * @return settings with temperature 0, every filter and penalty off, and seed 0
     */
    public static SamplerSettings greedy() {
        return new SamplerSettings(0f, 0, 1f, 0f, 1f, 0L);
    }

    /**
     * The builder's defaults (temperature 0.8, top-k 40, top-p 0.95, min-p 0.05, no penalties) with {@code seed}.
     *
     * @param seed seed of the random generator
     * @return the settings
     */
    public static SamplerSettings defaults(long seed) {
        return builder().seed(seed).build();
    }

    /**
     * Whether the most likely token is always chosen (temperature 0).
     *
     * @return true when the temperature is 0
     */
    public boolean isGreedy() {
        return temperature == 0f;
    }

    /**
     * A builder that starts from the {@code DEFAULT_*} values, no presence or frequency penalty, and a random seed.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Makes {@link SamplerSettings} from named values; each one not set keeps its default. */
    public static final class Builder {
        private float temperature = DEFAULT_TEMPERATURE;
        private int topK = DEFAULT_TOP_K;
        private float topP = DEFAULT_TOP_P;
        private float minP = DEFAULT_MIN_P;
        private float repetitionPenalty = DEFAULT_REPETITION_PENALTY;
        private Long seed;
        private float presencePenalty;
        private float frequencyPenalty;

        private Builder() {
        }

        /**
         * See {@link SamplerSettings#temperature()}; default {@value SamplerSettings#DEFAULT_TEMPERATURE}.
         *
         * @param temperature 0 (greedy) to 2, checked by {@link #build()}
         * @return this builder
         */
        public Builder temperature(double temperature) {
            this.temperature = (float) temperature;
            return this;
        }

        /**
         * See {@link SamplerSettings#topK()}; default {@value SamplerSettings#DEFAULT_TOP_K}.
         *
         * @param topK how many of the most likely tokens to keep, 0 or more (0 = off)
         * @return this builder
         */
        public Builder topK(int topK) {
            this.topK = topK;
            return this;
        }

        /**
         * See {@link SamplerSettings#topP()}; default {@value SamplerSettings#DEFAULT_TOP_P}.
         *
         * @param topP the probability the kept tokens sum to, in (0, 1] (1 = off)
         * @return this builder
         */
        public Builder topP(double topP) {
            this.topP = (float) topP;
            return this;
        }

        /**
         * See {@link SamplerSettings#minP()}; default {@value SamplerSettings#DEFAULT_MIN_P}.
         *
         * @param minP the least probability kept, as a fraction of the most likely token's, in [0, 1) (0 = off)
         * @return this builder
         */
        public Builder minP(double minP) {
            this.minP = (float) minP;
            return this;
        }

        /**
         * See {@link SamplerSettings#repetitionPenalty()}; default {@value SamplerSettings#DEFAULT_REPETITION_PENALTY} (off).
         *
         * @param repetitionPenalty the divisor of repeated tokens' positive logits, above 0 (1 = off)
         * @return this builder
         */
        public Builder repetitionPenalty(double repetitionPenalty) {
            this.repetitionPenalty = (float) repetitionPenalty;
            return this;
        }

        /**
         * See {@link SamplerSettings#presencePenalty()}; default 0 (off).
         *
         * @param presencePenalty subtracted once from each repeated token's logit, -2..2
         * @return this builder
         */
        public Builder presencePenalty(double presencePenalty) {
            this.presencePenalty = (float) presencePenalty;
            return this;
        }

        /**
         * See {@link SamplerSettings#frequencyPenalty()}; default 0 (off).
         *
         * @param frequencyPenalty subtracted from a token's logit once per time it is in the context, -2..2
         * @return this builder
         */
        public Builder frequencyPenalty(double frequencyPenalty) {
            this.frequencyPenalty = (float) frequencyPenalty;
            return this;
        }

        /**
         * See {@link SamplerSettings#seed()}; default a random seed, chosen by {@link #build()}.
         *
         * @param seed seed of the random generator: the same seed gives the same text
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * The settings.
         *
         * @return settings holding the values given, and the defaults for the others
         * @throws JgptException when a value is out of its range (the message names it)
         */
        public SamplerSettings build() {
            long chosen = seed != null ? seed : ThreadLocalRandom.current().nextLong();
            return new SamplerSettings(temperature, topK, topP, minP, repetitionPenalty, chosen, presencePenalty, frequencyPenalty);
        }
    }
}
