package dev.jgpt.format;

import dev.jgpt.JgptException;
import java.nio.file.Path;

/** A checkpoint or tokenizer file that cannot be read as what it claims to be. */
public class FormatException extends JgptException {
    private final Path file;

    public FormatException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public FormatException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    public Path file() {
        return file;
    }
}
