package dev.jgpt.cli;

import dev.jgpt.JgptException;
import java.nio.file.Path;

/** Placeholder until the HTML page lands: the page embeds the JSON of {@code jgpt explain --json}. */
final class ExplainPage {
    private ExplainPage() {}

    static void write(Path file, String json) {
        throw new JgptException("--html is not available in this build");
    }
}
