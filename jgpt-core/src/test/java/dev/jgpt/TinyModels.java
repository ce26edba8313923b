package dev.jgpt;

import dev.jgpt.convert.GgufModelWriter;
import dev.jgpt.convert.RandomModel;
import dev.jgpt.model.Architecture;
import dev.jgpt.model.ModelConfig;
import dev.jgpt.model.Rope;
import dev.jgpt.tensor.DType;
import dev.jgpt.tokenizer.BpeTrainer;
import dev.jgpt.tokenizer.ByteLevelBpe;
import dev.jgpt.tokenizer.CharTokenizer;
import dev.jgpt.tokenizer.TokenizerJson;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The smallest complete models jgpt makes itself, tokenizer included, for tests that open them
 * the way a user does ({@code LanguageModel.open}): a GPT-2 folder and a Llama GGUF file.
 */
public final class TinyModels {
    /** A small byte-level BPE, learned once. */
    public static final ByteLevelBpe TOKENIZER = BpeTrainer.train(
            "the cat sat on the mat; the dog sat on the log. a model reads the tokens it was given.\n".repeat(20), 300);
    /** The models' vocabulary: the tokenizer's. */
    public static final int VOCAB = TOKENIZER.vocabSize();
    public static final ModelConfig GPT2 = ModelConfig.gpt2(2, 2, 16, 32, VOCAB);
    public static final ModelConfig LLAMA = new ModelConfig(Architecture.llama(Rope.of(Rope.Style.NORM, 8, 10000)), 2, 4, 2,
            32, 64, 32, VOCAB, 1e-5f, false);

    private TinyModels() {}

    /** A GPT-2 Hugging Face folder in {@code dir}: config.json, model.safetensors ({@code dtype}), tokenizer.json. */
    public static Path gpt2Folder(Path dir, DType dtype) {
        return gpt2Folder(dir, dtype, VOCAB);
    }

    /** {@link #gpt2Folder(Path, DType)} with a model vocabulary of {@code vocab} ids, the tokenizer's {@link #VOCAB} or not. */
    public static Path gpt2Folder(Path dir, DType dtype, int vocab) {
        RandomModel.write(ModelConfig.gpt2(GPT2.layers(), GPT2.heads(), GPT2.embd(), GPT2.contextLength(), vocab), dtype, 1, dir);
        TokenizerJson.write(TOKENIZER, dir.resolve("tokenizer.json"));
        return dir;
    }

    /** A Llama GGUF file with its vocabulary, matrices as {@code dtype}. */
    public static Path llamaGguf(Path file, DType dtype) {
        llamaContents(dtype).write(file);
        return file;
    }

    /** The Llama GGUF file's contents, open to edits before it is written. */
    public static GgufModelWriter.Contents llamaContents(DType dtype) {
        GgufModelWriter.Contents contents = RandomModel.gguf(LLAMA, dtype, 1);
        contents.metadata().putAll(GgufModelWriter.vocabulary(TOKENIZER, VOCAB));
        return contents;
    }

    /** Every printable ASCII character and the newline: the alphabet of {@link #charGpt2Folder}'s tokenizer. */
    public static final String PRINTABLE = java.util.stream.IntStream.rangeClosed(32, 126)
            .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append) + "\n";

    /**
     * A random GPT-2 folder with a character tokenizer over {@link #PRINTABLE} (any text a chat template writes
     * encodes), {@code padding} rows of embedding past its ids and a context of {@code contextLength};
     * written once per folder. Wide enough that 1000 tokens take a noticeable while, small enough to build in a moment.
     */
    public static Path charGpt2Folder(Path dir, int padding, int contextLength) {
        if (!Files.exists(dir.resolve("config.json"))) {
            CharTokenizer tokenizer = CharTokenizer.fromCorpus(PRINTABLE);
            RandomModel.write(ModelConfig.gpt2(4, 4, 256, contextLength, tokenizer.vocabSize() + padding), DType.F32, 7L, dir);
            TokenizerJson.write(tokenizer, dir.resolve("tokenizer.json"));
        }
        return dir;
    }
}
