package dev.jgpt.cli;

import dev.jgpt.generate.Generator;
import dev.jgpt.generate.LanguageModel;
import picocli.CommandLine.Option;

/** The size of the KV cache a command that generates gives the model (llama.cpp's -c). */
final class ContextSizeOption {
    @Option(names = {"-c", "--ctx-size"}, paramLabel = "N",
            description = "Positions the KV cache holds, prompt and answer together, at most the model's context length "
                    + "(default: the model's context length, at most " + Generator.DEFAULT_MAX_WINDOW + ").")
    Integer size;

    /** Gives {@code lm} the context size asked for, if one was, and returns it; closes it when the size does not fit. */
    LanguageModel applyTo(LanguageModel lm) {
        if (size != null) {
            try {
                lm.setContextSize(size);
            } catch (RuntimeException e) {
                lm.close();
                throw e;
            }
        }
        return lm;
    }
}
