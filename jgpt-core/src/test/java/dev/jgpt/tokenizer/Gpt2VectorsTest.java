package dev.jgpt.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** llama.cpp's GPT-2 tokenizer test vectors (produced with Hugging Face tokenizers). */
class Gpt2VectorsTest {
    private static final String SEPARATOR = "\n__ggml_vocab_test__\n";

    record Case(int index, String text, int[] ids) {}

    /**
     * The .inp file is {@code text SEPARATOR text SEPARATOR ...}: a case is what lies between
     * separator lines, without the newline ending the separator line before it and the newline
     * ending its own last line. The .out file has one line of ids per case.
     */
    static List<Case> cases() {
        String inp = Shared.text("tokenizer/ggml-vocab-gpt-2.gguf.inp");
        String out = Shared.text("tokenizer/ggml-vocab-gpt-2.gguf.out");
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

    @Test
    void readsTheVectorsAsTheReadmeDescribes() {
        List<Case> cases = cases();
        assertThat(cases).hasSizeGreaterThan(40);
        // the README's example: " Hello world" → 18435 995
        assertThat(cases).filteredOn(c -> c.text().equals(" Hello world"))
                .singleElement()
                .satisfies(c -> assertThat(c.ids()).containsExactly(18435, 995));
    }

    @TestFactory
    Stream<DynamicTest> encodesEveryVectorExactly() {
        ByteLevelBpe gpt2 = Shared.gpt2();
        return cases().stream().map(c -> dynamicTest("case " + c.index() + ": " + visible(c.text()), () -> {
            assertThat(gpt2.encode(c.text())).as("ids of %s", visible(c.text())).containsExactly(c.ids());
            assertThat(gpt2.decode(gpt2.encode(c.text()))).isEqualTo(c.text());
            assertThat(gpt2.decode(c.ids())).isEqualTo(c.text());
        }));
    }

    private static String visible(String text) {
        String shown = text.replace("\n", "\\n").replace("\t", "\\t");
        return shown.length() > 40 ? shown.substring(0, 40) + "..." : shown;
    }
}
