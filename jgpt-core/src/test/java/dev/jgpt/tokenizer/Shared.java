package dev.jgpt.tokenizer;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reference data in {@code ../shared}, found through the system property {@code jgpt.shared}; tests skip when it is absent. */
final class Shared {
    private static ByteLevelBpe gpt2;

    private Shared() {}

    /** A file or folder under the shared folder; skips the calling test when it is not there. */
    static Path path(String relative) {
        String root = System.getProperty("jgpt.shared");
        assumeTrue(root != null && !root.isBlank(),
                "system property jgpt.shared is not set (the Maven build sets it to ../shared): skipping");
        Path path = Path.of(root).resolve(relative);
        assumeTrue(Files.exists(path), "shared reference data not found, skipping: " + path);
        return path;
    }

    static String text(String relative) {
        try {
            return Files.readString(path(relative), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** GPT-2's tokenizer from OpenAI's vocab.json and merges.txt, loaded once. */
    static synchronized ByteLevelBpe gpt2() {
        Path vocab = path("tokenizer/gpt2/vocab.json");
        Path merges = path("tokenizer/gpt2/merges.txt");
        if (gpt2 == null) {
            gpt2 = TokenizerLoader.fromVocabAndMerges(vocab, merges);
        }
        return gpt2;
    }
}
