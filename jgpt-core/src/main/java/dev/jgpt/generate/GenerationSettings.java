package dev.jgpt.generate;

import dev.jgpt.JgptException;
import dev.jgpt.constrain.Grammar;
import dev.jgpt.sampling.SamplerSettings;
import java.util.List;

/**
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
                                 Grammar grammar) {
    public GenerationSettings {
        if (maxTokens < 0) {
            throw new JgptException("max tokens must be 0 or more, got " + maxTokens);
        }
        stopStrings = List.copyOf(stopStrings);
        if (stopStrings.stream().anyMatch(String::isEmpty)) {
            throw new JgptException("a stop string cannot be empty");
        }
    }

    /** Settings for any text. */
    public GenerationSettings(int maxTokens, SamplerSettings sampler, List<String> stopStrings, ContextOverflow overflow) {
        this(maxTokens, sampler, stopStrings, overflow, null);
    }

    /** These settings with the new text kept inside {@code grammar}. */
    public GenerationSettings constrainedTo(Grammar grammar) {
        return new GenerationSettings(maxTokens, sampler, stopStrings, overflow, grammar);
    }

    public static GenerationSettings of(int maxTokens, SamplerSettings sampler) {
        return new GenerationSettings(maxTokens, sampler, List.of(), ContextOverflow.STOP);
    }
}
