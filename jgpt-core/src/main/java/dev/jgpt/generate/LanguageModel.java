package dev.jgpt.generate;

import dev.jgpt.JgptException;
import dev.jgpt.format.FormatException;
import dev.jgpt.format.Gguf;
import dev.jgpt.format.GgufNames;
import dev.jgpt.hub.Hub;
import dev.jgpt.hub.HubSettings;
import dev.jgpt.hub.PullListener;
import dev.jgpt.lora.Adapters;
import dev.jgpt.lora.LoraFile;
import dev.jgpt.model.ModelConfig;
import dev.jgpt.model.Transformer;
import dev.jgpt.model.load.ModelFiles;
import dev.jgpt.tensor.VectorApi;
import dev.jgpt.tokenizer.GgufTokenizers;
import dev.jgpt.tokenizer.Tokenizer;
import dev.jgpt.tokenizer.TokenizerLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A model opened for use: the transformer and its tokenizer, side by side, from a GGUF file
 * or a Hugging Face folder. The starting point for a library user:
 * <pre>{@code
 * try (LanguageModel lm = LanguageModel.open(Path.of("models/gpt2"))) {
 *     GenerationSettings settings = GenerationSettings.builder().maxTokens(50).build();
 *     Generation g = lm.generate("Hello", settings, TokenListener.of(System.out::print));
 * }
 * }</pre>
 * {@link #generate} continues a text, {@link #chat} answers messages written through the model's
 * chat template, {@link #newChat} keeps a conversation, {@link #embed} and {@link #score} measure
 * a text. A listener streams the tokens and may cancel ({@link TokenListener#of(java.util.function.Consumer,
 * java.util.function.BooleanSupplier)}). The model's runs are not thread-safe: one generation at a time.
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
     * Opens a GGUF file (weights and the tokenizer in its metadata) or a Hugging Face folder
     * (config.json, model.safetensors and a tokenizer).
     *
     * @param path the file or folder
     * @return the model, to be closed after use
     * @throws JgptException when the files cannot be read as a model (the message names what is
     *     wrong and where), or when the JVM runs without the Vector API module
     */
    public static LanguageModel open(Path path) {
        return open(path, List.of());
    }

    /**
     * Opens {@code model}: a path that exists, else a GGUF model on the Hugging Face Hub by name
     * ({@code OWNER/REPO}, {@code OWNER/REPO:QUANT} or {@code OWNER/REPO/FILE.gguf}), taken from the
     * hub's cache or pulled into it first.
     *
     * @param model a path or a model name
     * @param hub   where the hub and its cache are
     * @return the model, to be closed after use
     * @throws JgptException when the model cannot be found, fetched or read
     */
    public static LanguageModel open(String model, HubSettings hub) {
        VectorApi.check();
        return open(Hub.locate(model, () -> new Hub(hub), PullListener.NONE));
    }

    /**
     * Opens a model as {@link #open(Path)} does, with LoRA adapters (GGUF files as llama.cpp
     * makes them) joined to its linear maps at their scales; several adapters add up.
     *
     * @param path     the file or folder
     * @param adapters the adapters, each with its scale
     * @return the model, to be closed after use
     */
    public static LanguageModel open(Path path, @SuppressWarnings("exports") List<LoraFile> adapters) {
        VectorApi.check();
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

    /**
     * The model's tokenizer (for jgpt's own modules, which run on the class path).
     *
     * @return the tokenizer the model was opened with
     */
    @SuppressWarnings("exports")
    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /**
     * Ids of the model's vocabulary that no token of the tokenizer has: a vocabulary padded to a
     * round size (nanoGPT's 50304 for GPT-2's 50257 tokens). Generation never samples them.
     *
     * @return the model's vocabulary size less the tokenizer's, 0 or more
     */
    public int unusedIds() {
        return files.config().vocabSize() - tokenizer.vocabSize();
    }

    /**
     * The network (for jgpt's own modules, which run on the class path).
     *
     * @return the transformer loaded from the model's files
     */
    @SuppressWarnings("exports")
    public Transformer transformer() {
        return files.transformer();
    }

    /**
     * The network's shape (for jgpt's own modules, which run on the class path).
     *
     * @return the model's configuration: layers, widths, vocabulary, context length
     */
    @SuppressWarnings("exports")
    public ModelConfig config() {
        return files.config();
    }

    /**
     * The files the model was opened from (for jgpt's own modules, which run on the class path).
     *
     * @return the opened files
     */
    @SuppressWarnings("exports")
    public ModelFiles files() {
        return files;
    }

    /**
     * Positions a KV cache made for this model holds, prompt and new tokens together: the model's
     * context length, at most {@link Generator#DEFAULT_MAX_WINDOW}, unless {@link #setContextSize} says otherwise.
     *
     * @return the positions
     */
    public int contextSize() {
        return contextSize;
    }

    /**
     * Sets {@link #contextSize}: from 1 position up to the model's context length.
     *
     * @param positions the positions
     * @throws JgptException when they do not fit the model
     */
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
     *
     * @return the templates, if the model has any
     */
    public Optional<ChatTemplateSources> chatTemplates() {
        Optional<Gguf> gguf = files.gguf();
        return gguf.isPresent() ? ChatTemplateSources.of(gguf.get().metadata()) : HfChatTemplates.read(files.path());
    }

    /**
     * How this model writes a conversation: its own chat template, run, with its begin- and
     * end-of-text tokens' texts as {@code bos_token} and {@code eos_token}; {@link ChatTemplate#PLAIN}
     * when it has none.
     *
     * @return the template
     */
    public ChatTemplate template() {
        return ChatTemplate.forModel(chatTemplates().orElse(null), tokenText(tokenizer.bosId()), tokenText(tokenizer.eosId()));
    }

    private String tokenText(java.util.OptionalInt id) {
        return id.isPresent() ? tokenizer.piece(id.getAsInt()) : "";
    }

    /**
     * Continues {@code prompt}, tokenized as the model expects a sequence to start (a BOS token
     * first where it wants one).
     *
     * @param prompt   the text to continue
     * @param settings how much to write and how
     * @param listener hears each token as it is written, and may cancel
     * @return the new text, its tokens, why it ended and how long it took
     */
    public Generation generate(String prompt, GenerationSettings settings, TokenListener listener) {
        return generate(tokenizer.encodeSequence(prompt), settings, listener);
    }

    /**
     * Continues the token ids {@code prompt}.
     *
     * @param prompt   the ids to continue
     * @param settings how much to write and how
     * @param listener hears each token as it is written, and may cancel
     * @return the new text, its tokens, why it ended and how long it took
     */
    public Generation generate(int[] prompt, GenerationSettings settings, TokenListener listener) {
        if (generator == null) {
            generator = new Generator(files.transformer(), tokenizer, contextSize);
        }
        return generator.generate(prompt, settings, listener);
    }

    /**
     * The assistant's answer to {@code messages}, written through the model's chat template
     * ({@link #template()}): its stop strings are added to those of {@code settings}, and a full
     * context window stops the answer.
     *
     * @param messages the conversation so far, its last message usually the user's
     * @param settings how long the answer may be and how its tokens are chosen
     * @param listener hears each token as it is written, and may cancel
     * @return the answer (its text as the model wrote it)
     */
    public Generation chat(List<ChatMessage> messages, GenerationSettings settings, TokenListener listener) {
        ChatTemplate template = template();
        return generate(template.encode(messages, tokenizer), settings.forChat(template.stops()), listener);
    }

    /**
     * A new conversation written through the model's chat template, in a KV cache of its own of
     * {@link #contextSize()} positions.
     *
     * @return the conversation
     */
    public ChatSession newChat() {
        return newChat(template());
    }

    /**
     * A new conversation written through {@code template} (one of {@link ChatTemplate}'s
     * families, say), in a KV cache of its own of {@link #contextSize()} positions.
     *
     * @param template how the messages are written into the prompt
     * @return the conversation
     */
    public ChatSession newChat(ChatTemplate template) {
        return new ChatSession(files.transformer(), tokenizer, template, contextSize);
    }

    /**
     * The embedding of {@code text}, tokenized as a prompt is: the final-norm hidden states pooled,
     * L2-normalised.
     *
     * @param text    the text
     * @param pooling how the positions' states become one vector
     * @return a vector of the model's width, of length 1
     */
    public float[] embed(String text, Embeddings.Pooling pooling) {
        return embed(tokenizer.encodeSequence(text), pooling);
    }

    /**
     * The embedding of {@code tokens}: the final-norm hidden states pooled, L2-normalised.
     *
     * @param tokens  the token ids
     * @param pooling how the positions' states become one vector
     * @return a vector of the model's width, of length 1
     */
    public float[] embed(int[] tokens, Embeddings.Pooling pooling) {
        return Embeddings.of(files.transformer(), tokens, pooling);
    }

    /**
     * How well the model predicts {@code text}, tokenized as a prompt is: the log-probability of
     * each token after the first, given those before it, and their mean loss and perplexity.
     *
     * @param text the text, at least 2 tokens and at most the model's context length
     * @return the score
     */
    public Scorer.Score score(String text) {
        return Scorer.score(files.transformer(), tokenizer.encodeSequence(text));
    }

    /** Releases the model's files (their memory mappings). */
    @Override
    public void close() {
        files.close();
    }
}
