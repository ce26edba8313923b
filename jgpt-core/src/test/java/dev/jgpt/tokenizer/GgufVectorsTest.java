package dev.jgpt.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * llama.cpp's vocab-only GGUF files against their own test vectors (ids produced with Hugging
 * Face tokenizers): Llama 2's SentencePiece vocabulary and GPT-2's byte-level one.
 */
class GgufVectorsTest {
    private static final String SPM = "ggml-vocab-llama-spm.gguf";
    private static final String GPT2 = "ggml-vocab-gpt-2.gguf";

    private static Tokenizer load(String name) {
        return TokenizerLoader.fromGguf(Shared.path("tokenizer/" + name));
    }

    @TestFactory
    Stream<DynamicTest> llamaSentencePieceEncodesEveryVectorAndDecodesItBack() {
        return everyVector(SPM);
    }

    @TestFactory
    Stream<DynamicTest> gpt2EncodesEveryVectorAndDecodesItBack() {
        return everyVector(GPT2);
    }

    private static Stream<DynamicTest> everyVector(String name) {
        Tokenizer tokenizer = load(name);
        return LlamaCppVectors.cases(name).stream().map(c -> dynamicTest("case " + c.index() + ": " + c.visible(), () -> {
            Ids.assertSameIds("ids of \"" + c.visible() + "\"", tokenizer.encode(c.text()), c.ids(), tokenizer);
            assertThat(tokenizer.encodeOrdinary(c.text())).as("as plain text").containsExactly(c.ids());
            assertThat(tokenizer.decode(c.ids())).as("decoded").isEqualTo(c.text());
            // streamed token by token, a SentencePiece text keeps its dummy-prefix space
            Utf8StreamDecoder stream = new Utf8StreamDecoder(tokenizer);
            StringBuilder streamed = new StringBuilder();
            for (int id : c.ids()) {
                streamed.append(stream.accept(id));
            }
            streamed.append(stream.flush());
            String prefix = tokenizer instanceof SentencePieceBpe && !c.text().isEmpty() ? " " : "";
            assertThat(streamed.toString()).as("streamed").isEqualTo(prefix + c.text());
        }));
    }

    @Test
    void llamaAddsBosAndMarksItsSpecialTokens() {
        Tokenizer spm = load(SPM);
        assertThat(spm).isInstanceOf(SentencePieceBpe.class);
        assertThat(spm.vocabSize()).isEqualTo(32000);
        assertThat(spm.bosId()).hasValue(1);
        assertThat(spm.eosId()).hasValue(2);
        assertThat(spm.addsBos()).isTrue();
        int[] plain = spm.encode(" Hello world");
        int[] sequence = spm.encodeSequence(" Hello world");
        assertThat(sequence).startsWith(1).endsWith(plain).hasSize(plain.length + 1);
        // special tokens written in the text: matched whole by encode, split by encodeOrdinary
        assertThat(spm.specialId("</s>")).hasValue(2);
        assertThat(spm.encode("</s>")).containsExactly(2);
        assertThat(spm.encodeOrdinary("</s>")).doesNotContain(2).hasSizeGreaterThan(1);
        // text after a special token gets the dummy prefix again, as at the start
        assertThat(spm.encode("<s>Hello")).containsExactly(1, spm.encode("Hello")[0]);
        // control tokens print nothing; the first token's dummy-prefix space goes
        assertThat(spm.decode(spm.encode(" Hello</s>"))).isEqualTo(" Hello");
        assertThat(spm.piece(1)).isEqualTo("<s>");
        assertThat(spm.piece(spm.encode("\n")[1])).isEqualTo("\n");
    }

    @Test
    void gpt2FromGgufMatchesGpt2FromItsOwnFiles() {
        Tokenizer gguf = load(GPT2);
        ByteLevelBpe files = Shared.gpt2();
        assertThat(gguf).isInstanceOf(ByteLevelBpe.class);
        assertThat(gguf.vocabSize()).isEqualTo(files.vocabSize());
        assertThat(gguf.addsBos()).isFalse();
        assertThat(gguf.eosId()).isEqualTo(files.eosId());
        assertThat(gguf.encodeSequence("Hello world")).isEqualTo(files.encode("Hello world"));
        for (int id = 0; id < files.vocabSize(); id++) {
            if (!files.isSpecial(id)) {
                assertThat(gguf.tokenBytes(id)).as("bytes of token %d", id).isEqualTo(files.tokenBytes(id));
            }
        }
        assertThat(gguf.encode("a<|endoftext|>b")).containsExactly(64, 50256, 65);
        // the control token prints nothing, as llama.cpp prints it
        assertThat(gguf.decode(new int[] {64, 50256, 65})).isEqualTo("ab");
        assertThat(gguf.piece(50256)).isEqualTo("<|endoftext|>");
    }
}
