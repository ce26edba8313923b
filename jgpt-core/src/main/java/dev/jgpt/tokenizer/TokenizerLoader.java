package dev.jgpt.tokenizer;

import dev.jgpt.format.FormatException;
import dev.jgpt.format.Gguf;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Where tokenizers come from: a model folder, Hugging Face's files, GPT-2's files, tiktoken ranks, GGUF files. */
public final class TokenizerLoader {
    private TokenizerLoader() {}

    /**
     * The tokenizer of a model folder: its {@code tokenizer.json} when there is one (byte-level
     * BPE or character-level), else its {@code vocab.json} and {@code merges.txt}.
     *
     * @throws FormatException naming the folder when it holds neither, or naming the file at fault
     */
    public static Tokenizer fromDirectory(Path dir) {
        Path file = fileIn(dir);
        return file.endsWith("tokenizer.json") ? fromTokenizerJson(file) : fromVocabAndMerges(file, dir.resolve("merges.txt"));
    }

    /**
     * The file the tokenizer of a model folder is read from: its {@code tokenizer.json}, else its
     * {@code vocab.json} (with {@code merges.txt} beside it).
     *
     * @throws FormatException naming the folder when it holds neither
     */
    public static Path fileIn(Path dir) {
        Path json = dir.resolve("tokenizer.json");
        if (Files.isRegularFile(json)) {
            return json;
        }
        Path vocab = dir.resolve("vocab.json");
        if (Files.isRegularFile(vocab) && Files.isRegularFile(dir.resolve("merges.txt"))) {
            return vocab;
        }
        String problem = Files.isDirectory(dir)
                ? "no tokenizer: expected tokenizer.json, or vocab.json and merges.txt, in this folder"
                : "not a folder (expected a model folder with tokenizer.json, or vocab.json and merges.txt)";
        throw new FormatException(dir, problem);
    }

    /**
     * The tokenizer in a GGUF file's metadata (see {@link GgufTokenizers}); the file may hold
     * only the vocabulary, no tensors.
     */
    public static Tokenizer fromGguf(Path file) {
        try (Gguf gguf = Gguf.open(file)) {
            return GgufTokenizers.load(gguf.metadata());
        }
    }

    /** A Hugging Face {@code tokenizer.json}, byte-level BPE or character-level (see {@link TokenizerJson#read}). */
    public static Tokenizer fromTokenizerJson(Path file) {
        return TokenizerJson.read(file);
    }

    /** GPT-2's {@code vocab.json} and {@code merges.txt}; {@code <|endoftext|>} is special when present. */
    public static ByteLevelBpe fromVocabAndMerges(Path vocabJson, Path mergesTxt) {
        return VocabMergesFiles.read(vocabJson, mergesTxt);
    }

    /** A {@code .tiktoken} ranks file (rank = id) with the given special tokens (text to id). */
    public static ByteLevelBpe fromTiktoken(Path file, Map<String, Integer> specials) {
        return Tiktoken.read(file, specials);
    }

    /**
     * Tiktoken ranks read from {@code in} (not closed) with the given special tokens;
     * {@code name} names the source in error messages.
     */
    public static ByteLevelBpe fromTiktoken(InputStream in, String name, Map<String, Integer> specials) {
        return Tiktoken.read(in, Path.of(name), specials);
    }
}
