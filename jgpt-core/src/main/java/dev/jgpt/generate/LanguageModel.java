package dev.jgpt.generate;

import dev.jgpt.JgptException;
import dev.jgpt.format.FormatException;
import dev.jgpt.format.Gguf;
import dev.jgpt.format.GgufNames;
import dev.jgpt.lora.Adapters;
import dev.jgpt.lora.LoraFile;
import dev.jgpt.model.ModelConfig;
import dev.jgpt.model.Transformer;
import dev.jgpt.model.load.ModelFiles;
import dev.jgpt.tokenizer.GgufTokenizers;
import dev.jgpt.tokenizer.Tokenizer;
import dev.jgpt.tokenizer.TokenizerLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A model opened for use: the transformer and its tokenizer, side by side, from a GGUF file
 * or a Hugging Face style GPT-2 folder. The starting point for a library user:
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
    private int contextSize;

    private LanguageModel(ModelFiles files, Tokenizer tokenizer) {
        this.files = files;
        this.tokenizer = tokenizer;
        this.contextSize = Math.min(files.config().contextLength(), Generator.DEFAULT_MAX_WINDOW);
    }

    /**
     * Opens a GGUF file (weights and the tokenizer in its metadata) or a Hugging Face style GPT-2
     * folder (config.json, model.safetensors and a tokenizer).
     */
    public static LanguageModel open(Path path) {
        return open(path, List.of());
    }

    /**
     * Opens a model as {@link #open(Path)} does, with LoRA adapters (GGUF files as llama.cpp
     * makes them) joined to its linear maps at their scales; several adapters add up.
     */
    public static LanguageModel open(Path path, List<LoraFile> adapters) {
        ModelFiles opened = ModelFiles.open(path);
        try {
            ModelFiles files = Adapters.attach(opened, adapters);
            Tokenizer tokenizer = files.gguf().map(gguf -> GgufTokenizers.load(gguf.metadata()))
                    .orElseGet(() -> TokenizerLoader.fromDirectory(path));
            checkVocabulary(path, files, tokenizer);
            return new LanguageModel(files, tokenizer);
        } catch (RuntimeException e) {
            opened.close();
            throw e;
        }
    }

    /**
     * A tokenizer may have fewer tokens than the model's vocabulary (a padded vocabulary), never
     * more: its extra ids would be outside the model.
     */
    private static void checkVocabulary(Path path, ModelFiles files, Tokenizer tokenizer) {
        int model = files.config().vocabSize();
        if (tokenizer.vocabSize() > model) {
            boolean gguf = files.gguf().isPresent();
            String tokens = gguf ? GgufNames.TOKENS : TokenizerLoader.fileIn(path).getFileName().toString();
            String vocabulary = gguf ? "the rows of token_embd.weight" : "vocab_size in " + ModelFiles.CONFIG;
            throw new FormatException(path, "the tokenizer (" + tokens + ") has " + tokenizer.vocabSize()
                    + " tokens, more than the model's vocabulary of " + model + " (" + vocabulary + ")");
        }
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /**
     * Ids of the model's vocabulary that no token of the tokenizer has: a vocabulary padded to a
     * round size (nanoGPT's 50304 for GPT-2's 50257 tokens). Generation never samples them.
     */
    public int unusedIds() {
        return files.config().vocabSize() - tokenizer.vocabSize();
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

    /**
     * Positions a KV cache made for this model holds, prompt and new tokens together: the model's
     * context length, at most {@link Generator#DEFAULT_MAX_WINDOW}, unless {@link #setContextSize} says otherwise.
     */
    public int contextSize() {
        return contextSize;
    }

    /** Sets {@link #contextSize}: from 1 position up to the model's context length. */
    public void setContextSize(int positions) {
        int limit = files.config().contextLength();
        if (positions < 1 || positions > limit) {
            throw new JgptException("a context size of " + positions + " positions does not fit this model: "
                    + "its context length is " + limit + " (give 1.." + limit + ")");
        }
        contextSize = positions;
        generator = null;
    }

    /**
     * The model's own chat templates (Jinja programs), if it carries any: GGUF's {@code tokenizer.chat_template},
     * a Hugging Face folder's {@code chat_template.jinja} or {@code tokenizer_config.json}.
     */
    public Optional<ChatTemplateSources> chatTemplates() {
        Optional<Gguf> gguf = files.gguf();
        return gguf.isPresent() ? ChatTemplateSources.of(gguf.get().metadata()) : HfChatTemplates.read(files.path());
    }

    /**
     * How this model writes a conversation: its own chat template, run, with its begin- and
     * end-of-text tokens' texts as {@code bos_token} and {@code eos_token}; {@link ChatTemplate#PLAIN}
     * when it has none.
     */
    public ChatTemplate template() {
        return ChatTemplate.forModel(chatTemplates().orElse(null), tokenText(tokenizer.bosId()), tokenText(tokenizer.eosId()));
    }

    private String tokenText(java.util.OptionalInt id) {
        return id.isPresent() ? tokenizer.piece(id.getAsInt()) : "";
    }

    /** Tokenizes {@code prompt} as the model expects a sequence to start (a BOS token first where it wants one) and continues it. */
    public Generation generate(String prompt, GenerationSettings settings, TokenListener listener) {
        return generate(tokenizer.encodeSequence(prompt), settings, listener);
    }

    public Generation generate(int[] prompt, GenerationSettings settings, TokenListener listener) {
        if (generator == null) {
            generator = new Generator(files.transformer(), tokenizer, contextSize);
        }
        return generator.generate(prompt, settings, listener);
    }

    /** The embedding of {@code text}, tokenized as a prompt is: see {@link Embeddings#of}. */
    public float[] embed(String text, Embeddings.Pooling pooling) {
        return embed(tokenizer.encodeSequence(text), pooling);
    }

    /** The embedding of {@code tokens}: the final-norm hidden states pooled, L2-normalised. */
    public float[] embed(int[] tokens, Embeddings.Pooling pooling) {
        return Embeddings.of(files.transformer(), tokens, pooling);
    }

    @Override
    public void close() {
        files.close();
    }
}
