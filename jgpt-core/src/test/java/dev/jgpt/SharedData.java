package dev.jgpt;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** The reference data beside the project ({@code ../shared}); tests that need it skip when it is absent. */
public final class SharedData {
    private SharedData() {}

    /** {@code ../shared/<relative>}, or the test is skipped with a message saying what is missing. */
    public static Path require(String relative) {
        String root = System.getProperty("jgpt.shared", "../shared");
        Path path = Path.of(root).resolve(relative).normalize();
        assumeTrue(Files.exists(path), "reference data not found: " + path + " (tests that compare against ../shared skip)");
        return path;
    }
}
