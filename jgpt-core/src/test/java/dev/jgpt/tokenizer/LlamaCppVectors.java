package dev.jgpt.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/** llama.cpp's tokenizer test vectors in ../shared/tokenizer: {@code NAME.inp} and {@code NAME.out}. */
final class LlamaCppVectors {
    private static final String SEPARATOR = "\n__ggml_vocab_test__\n";

    record Case(int index, String text, int[] ids) {
        /** The text with line breaks and tabs visible, cut short, for test names. */
        String visible() {
            String shown = text.replace("\n", "\\n").replace("\t", "\\t");
            return shown.length() > 40 ? shown.substring(0, 40) + "..." : shown;
        }
    }

    private LlamaCppVectors() {}

    /**
     * The .inp file is {@code text SEPARATOR text SEPARATOR ...}: a case is what lies between
     * separator lines, without the newline ending the separator line before it and the newline
     * ending its own last line. The .out file has one line of ids per case (no BOS).
     */
    static List<Case> cases(String name) {
        String inp = Shared.text("tokenizer/" + name + ".inp");
        String out = Shared.text("tokenizer/" + name + ".out");
        List<String> texts = new ArrayList<>(Arrays.asList(inp.split(Pattern.quote(SEPARATOR), -1)));
        assertThat(texts.getLast()).as("text after the last separator").isEmpty();
        texts.removeLast();
        List<String> lines = out.lines().toList();
        assertThat(lines).as("one line of ids per test string").hasSameSizeAs(texts);
        List<Case> cases = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            String line = lines.get(i).strip();
            int[] ids = line.isEmpty() ? new int[0] : Arrays.stream(line.split(" +")).mapToInt(Integer::parseInt).toArray();
            cases.add(new Case(i, texts.get(i), ids));
        }
        return cases;
    }
}
