package dev.jgpt.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A small training text for runs of the train command in tests: one line repeated with a counter, 40 kB. */
final class TrainingText {
    private TrainingText() {}

    /** Writes the text to {@code dir/text.txt} and returns that path. */
    static Path write(Path dir) throws IOException {
        Path data = dir.resolve("text.txt");
        StringBuilder text = new StringBuilder();
        for (int i = 0; text.length() < 40_000; i++) {
            text.append("To be, or not to be, that is the question ").append(i % 97).append(".\n");
        }
        Files.writeString(data, text);
        return data;
    }
}
