package dev.jgpt.generate;

import dev.jgpt.JgptException;
import dev.jgpt.constrain.Grammar;
import dev.jgpt.sampling.SamplerSettings;
import java.util.ArrayList;
import java.util.List;

/**
 * What one generation may write and how. Made by {@link #builder()}:
 * <pre>{@code
 * GenerationSettings settings = GenerationSettings.builder().maxTokens(200).stop("\n\n")
 *         .sampler(SamplerSettings.builder().temperature(0.7).build()).build();
 * }</pre>
 *
 * @param maxTokens   how many new tokens at most
 * @param sampler     how each token is chosen
 * @param stopStrings generation ends before the first of these to appear in the new text; one that is
 *                    the text of a special token also ends it when that token is sampled (GGUF
 *                    control tokens such as {@code <|eot_id|>} print as nothing)
 * @param overflow    what happens when the context window is full
 * @param grammar     the language the new text must belong to (a JSON schema, a GBNF grammar), or null for any text:
 *                    tokens that cannot continue it are never sampled, generation ends when it is complete
 *                    and nothing may follow, and the text is complete by {@code maxTokens} (keep that within the
 *                    context window: a window that fills first cuts the text short)
 */
public record GenerationSettings(int maxTokens, SamplerSettings sampler, List<String> stopStrings, ContextOverflow overflow,
                                 @SuppressWarnings("exports") Grammar grammar) {
    /** The most new tokens a builder allows unless told otherwise. */
    public static final int DEFAULT_MAX_TOKENS = 256;

    /** Checks the token limit and the stop strings. */
    public GenerationSettings {
        if (maxTokens < 0) {
            throw new JgptException("max tokens must be 0 or more, got " + maxTokens);
        }
        stopStrings = List.copyOf(stopStrings);
        if (stopStrings.stream().anyMatch(String::isEmpty)) {
            throw new JgptException("a stop string cannot be empty");
        }
    }

    /**
     * Settings for any text.
     *
     * @param maxTokens   how many new tokens at most (0 or more)
     * @param sampler     how each token is chosen
     * @param stopStrings generation ends before the first of these to appear in the new text (none empty)
     * @param overflow    what happens when the context window is full
     */
    public GenerationSettings(int maxTokens, SamplerSettings sampler, List<String> stopStrings, ContextOverflow overflow) {
        this(maxTokens, sampler, stopStrings, overflow, null);
    }

    /**
     * These settings with the new text kept inside {@code grammar}.
     *
     * @param grammar the language the new text must belong to (see {@link #grammar()}), or null for any text
     * @return new settings, the other values unchanged
     */
    public GenerationSettings constrainedTo(@SuppressWarnings("exports") Grammar grammar) {
        return new GenerationSettings(maxTokens, sampler, stopStrings, overflow, grammar);
    }

    /** These settings for an answer in a chat: {@code stops} (the chat template's) added, and stopping at a full context window. */
    GenerationSettings forChat(List<String> stops) {
        List<String> all = new ArrayList<>(stopStrings);
        all.addAll(stops);
        return new GenerationSettings(maxTokens, sampler, all, ContextOverflow.STOP, grammar);
    }

    /**
     * At most {@code maxTokens} new tokens chosen by {@code sampler}, no stop strings, stopping at a full context window.
     *
     * @param maxTokens how many new tokens at most (0 or more)
     * @param sampler   how each token is chosen
     * @return the settings
     * @throws JgptException when {@code maxTokens} is negative
     */
    public static GenerationSettings of(int maxTokens, SamplerSettings sampler) {
        return new GenerationSettings(maxTokens, sampler, List.of(), ContextOverflow.STOP);
    }

    /**
     * A builder that starts from {@value #DEFAULT_MAX_TOKENS} new tokens at most, the sampler's
     * defaults ({@link SamplerSettings#builder()}), no stop strings, and {@link ContextOverflow#STOP}.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Makes {@link GenerationSettings} from named values; each one not set keeps its default. */
    public static final class Builder {
        private int maxTokens = DEFAULT_MAX_TOKENS;
        private SamplerSettings sampler;
        private final List<String> stopStrings = new ArrayList<>();
        private ContextOverflow overflow = ContextOverflow.STOP;

        private Builder() {
        }

        /**
         * See {@link GenerationSettings#maxTokens()}; default {@value GenerationSettings#DEFAULT_MAX_TOKENS}.
         *
         * @param maxTokens how many new tokens at most (0 or more, checked by {@link #build})
         * @return this builder
         */
        public Builder maxTokens(int maxTokens) {
            this.maxTokens = maxTokens;
            return this;
        }

        /**
         * See {@link GenerationSettings#sampler()}; default {@code SamplerSettings.builder().build()}.
         *
         * @param sampler how each token is chosen; null for the default
         * @return this builder
         */
        public Builder sampler(SamplerSettings sampler) {
            this.sampler = sampler;
            return this;
        }

        /**
         * Adds stop strings (see {@link GenerationSettings#stopStrings()}); default none.
         *
         * @param stops strings to add after those already given (none empty, checked by {@link #build})
         * @return this builder
         */
        public Builder stop(String... stops) {
            stopStrings.addAll(List.of(stops));
            return this;
        }

        /**
         * See {@link GenerationSettings#overflow()}; default {@link ContextOverflow#STOP}.
         *
         * @param overflow what happens when the context window is full
         * @return this builder
         */
        public Builder overflow(ContextOverflow overflow) {
            this.overflow = overflow;
            return this;
        }

        /**
         * The settings.
         *
         * @return settings holding the values given, and the defaults for the others
         * @throws JgptException when a value is out of its range (the message names it)
         */
        public GenerationSettings build() {
            return new GenerationSettings(maxTokens, sampler != null ? sampler : SamplerSettings.builder().build(), stopStrings, overflow);
        }
    }
}
