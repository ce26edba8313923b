package dev.jgpt.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** llama.cpp's GPT-2 tokenizer test vectors (produced with Hugging Face tokenizers), against OpenAI's vocab.json and merges.txt. */
class Gpt2VectorsTest {
    static List<LlamaCppVectors.Case> cases() {
        return LlamaCppVectors.cases("ggml-vocab-gpt-2.gguf");
    }

    @Test
    void readsTheVectorsAsTheReadmeDescribes() {
        List<LlamaCppVectors.Case> cases = cases();
        assertThat(cases).hasSizeGreaterThan(40);
        // the README's example: " Hello world" → 18435 995
        assertThat(cases).filteredOn(c -> c.text().equals(" Hello world"))
                .singleElement()
                .satisfies(c -> assertThat(c.ids()).containsExactly(18435, 995));
    }

    @TestFactory
    Stream<DynamicTest> encodesEveryVectorExactly() {
        ByteLevelBpe gpt2 = Shared.gpt2();
        return cases().stream().map(c -> dynamicTest("case " + c.index() + ": " + c.visible(), () -> {
            assertThat(gpt2.encode(c.text())).as("ids of %s", c.visible()).containsExactly(c.ids());
            assertThat(gpt2.decode(gpt2.encode(c.text()))).isEqualTo(c.text());
            assertThat(gpt2.decode(c.ids())).isEqualTo(c.text());
        }));
    }
}
