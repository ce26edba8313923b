package dev.jgpt.cli;

import dev.jgpt.JgptException;
import java.util.Arrays;

/** Parsing of option values that picocli leaves to us. */
final class CliValues {
    private CliValues() {}

    /** "1,2, 3" → {1, 2, 3}. */
    static int[] parseIds(String option, String list) {
        try {
            return Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty()).mapToInt(Integer::parseInt).toArray();
        } catch (NumberFormatException e) {
            throw new JgptException(option + " takes token ids separated by commas (like 15496,11,616), got '" + list + "'");
        }
    }
}
