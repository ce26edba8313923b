package dev.jgpt.cli;

import dev.jgpt.JgptException;
import dev.jgpt.tokenizer.BpeTrainer;
import dev.jgpt.tokenizer.ByteLevelBpe;
import dev.jgpt.tokenizer.CharTokenizer;
import dev.jgpt.tokenizer.Tokenizer;
import dev.jgpt.tokenizer.TokenizerJson;
import dev.jgpt.train.TokenDataset;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "train-tokenizer", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a byte-level BPE or character tokenizer on a text file.",
            "",
            "The text is UTF-8; the tokenizer is written as DIR/tokenizer.json (Hugging Face's format): a GPT-2-style "
                    + "byte-level BPE (--type bpe), or one token per character (--type char, as nanoGPT's shakespeare_char)."})
final class TrainTokenizerCommand implements Callable<Integer> {
    enum Type { BPE, CHAR }

    @Spec
    CommandSpec spec;

    @Option(names = "--data", required = true, paramLabel = "FILE", description = "The text to learn from (UTF-8).")
    Path data;

    @Option(names = "--vocab-size", paramLabel = "N",
            description = "Tokens in the vocabulary, <|endoftext|> included: at least 257 (bpe only; char takes the corpus's characters).")
    Integer vocabSize;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder to write tokenizer.json to (made when missing).")
    Path out;

    @Option(names = "--type", paramLabel = "TYPE", defaultValue = "bpe", description = "bpe or char (default: ${DEFAULT-VALUE}).")
    Type type;

    @Option(names = "--force", description = "Overwrite a tokenizer.json already in the folder.")
    boolean force;

    @Option(names = "--json", description = "Print the summary as one JSON object.")
    boolean json;

    @Override
    public Integer call() {
        checkVocabSize(type, vocabSize);
        Path file = out.resolve("tokenizer.json");
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new JgptException("--out " + out + " is a file, expected a folder");
        }
        if (!force && Files.exists(file)) {
            throw new JgptException(file + " already exists; pass --force to overwrite it");
        }
        long start = System.nanoTime();
        String text = TokenDataset.readText(data);
        long trainStart = System.nanoTime();
        Tokenizer tokenizer = train(text, type, vocabSize, spec.commandLine().getErr());
        double trainSeconds = (System.nanoTime() - trainStart) / 1e9;
        int tokens = tokenizer.encode(text).length;
        TokenizerJson.write(tokenizer, file);
        double seconds = (System.nanoTime() - start) / 1e9;
        report(tokenizer, text, tokens, file, trainSeconds, seconds);
        return 0;
    }

    /** A tokenizer learned from {@code text}, with a progress bar on a terminal. */
    static Tokenizer train(String text, Type type, Integer vocabSize, PrintWriter err) {
        checkVocabSize(type, vocabSize);
        try (ProgressBar bar = new ProgressBar(err, "jgpt: training the tokenizer", System.console() != null)) {
            return type == Type.CHAR ? CharTokenizer.fromCorpus(text)
                    : BpeTrainer.train(text, vocabSize, (done, total) -> bar.update(done, total, "tokens"));
        }
    }

    static void checkVocabSize(Type type, Integer vocabSize) {
        if (type == Type.CHAR && vocabSize != null) {
            throw new JgptException("--vocab-size does not apply to --type char: its vocabulary is the corpus's distinct characters");
        }
        if (type == Type.BPE && vocabSize == null) {
            throw new JgptException("--type bpe needs --vocab-size (at least " + BpeTrainer.MIN_VOCAB_SIZE + ", e.g. 4096)");
        }
        if (type == Type.BPE && vocabSize < BpeTrainer.MIN_VOCAB_SIZE) {
            throw new JgptException("--vocab-size " + vocabSize + " is too small for --type bpe: it needs at least "
                    + BpeTrainer.MIN_VOCAB_SIZE + " (the 256 bytes and " + ByteLevelBpe.END_OF_TEXT + ")");
        }
    }

    private void report(Tokenizer tokenizer, String text, int tokens, Path file, double trainSeconds, double seconds) {
        int merges = tokenizer instanceof ByteLevelBpe bpe ? bpe.mergeCount() : 0;
        long characters = text.codePointCount(0, text.length());
        double charactersPerToken = tokens == 0 ? 0 : characters / (double) tokens;
        PrintWriter stdout = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("type", type.name().toLowerCase(Locale.ROOT));
            summary.put("vocab_size", tokenizer.vocabSize());
            summary.put("merges", merges);
            summary.put("eos_id", tokenizer.eosId().isPresent() ? tokenizer.eosId().getAsInt() : null);
            summary.put("corpus_characters", characters);
            summary.put("corpus_bytes", text.getBytes(StandardCharsets.UTF_8).length);
            summary.put("corpus_tokens", tokens);
            summary.put("characters_per_token", charactersPerToken);
            summary.put("train_seconds", trainSeconds);
            summary.put("seconds", seconds);
            summary.put("tokenizer_json", file.toString());
            Json.print(stdout, summary);
            return;
        }
        if (tokenizer instanceof ByteLevelBpe) {
            stdout.printf("trained a byte-level BPE in %.2f s (%.2f s in all)%n", trainSeconds, seconds);
            stdout.printf("vocabulary  %d tokens: 256 bytes, %d merges, %s = %d%s%n", tokenizer.vocabSize(), merges,
                    ByteLevelBpe.END_OF_TEXT, tokenizer.eosId().orElseThrow(), tokenizer.vocabSize() < vocabSize
                            ? " (not " + vocabSize + ": no pair of tokens was left to merge)" : "");
        } else {
            stdout.printf("made a character-level vocabulary in %.2f s (%.2f s in all)%n", trainSeconds, seconds);
            stdout.printf("vocabulary  %d characters%n", tokenizer.vocabSize());
        }
        stdout.printf("corpus      %d characters -> %d tokens (%.2f characters per token)%n", characters, tokens, charactersPerToken);
        stdout.printf("wrote       %s%n", file);
        stdout.flush();
    }
}
