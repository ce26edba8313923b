package dev.jgpt.generate;

import dev.jgpt.format.FormatException;
import dev.jgpt.model.ModelConfig;
import dev.jgpt.model.ModelFiles;
import dev.jgpt.model.Transformer;
import dev.jgpt.tokenizer.Tokenizer;
import dev.jgpt.tokenizer.TokenizerLoader;
import java.nio.file.Path;

/**
 * A model folder opened for use: the transformer and its tokenizer, side by side. The
 * starting point for a library user:
 * <pre>{@code
 * try (LanguageModel lm = LanguageModel.open(Path.of("models/gpt2"))) {
 *     Generation g = lm.generate("Hello", GenerationSettings.of(50, SamplerSettings.defaults(42)), TokenListener.NONE);
 * }
 * }</pre>
 */
public final class LanguageModel implements AutoCloseable {
    private final ModelFiles files;
    private final Tokenizer tokenizer;
    private Generator generator;

    private LanguageModel(ModelFiles files, Tokenizer tokenizer) {
        this.files = files;
        this.tokenizer = tokenizer;
    }

    /** Opens a Hugging Face style GPT-2 folder: config.json, model.safetensors and a tokenizer. */
    public static LanguageModel open(Path directory) {
        ModelFiles files = ModelFiles.open(directory);
        try {
            Tokenizer tokenizer = TokenizerLoader.fromDirectory(directory);
            if (tokenizer.vocabSize() > files.config().vocabSize()) {
                throw new FormatException(directory, "the tokenizer has " + tokenizer.vocabSize()
                        + " tokens but the model only " + files.config().vocabSize());
            }
            return new LanguageModel(files, tokenizer);
        } catch (RuntimeException e) {
            files.close();
            throw e;
        }
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public Transformer transformer() {
        return files.transformer();
    }

    public ModelConfig config() {
        return files.config();
    }

    public ModelFiles files() {
        return files;
    }

    /** Tokenizes {@code prompt} and continues it. */
    public Generation generate(String prompt, GenerationSettings settings, TokenListener listener) {
        return generate(tokenizer.encode(prompt), settings, listener);
    }

    public Generation generate(int[] prompt, GenerationSettings settings, TokenListener listener) {
        if (generator == null) {
            generator = new Generator(files.transformer(), tokenizer);
        }
        return generator.generate(prompt, settings, listener);
    }

    @Override
    public void close() {
        files.close();
    }
}
