package dev.jgpt.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jgpt.SharedData;
import dev.jgpt.format.Gguf;
import dev.jgpt.format.GgufWriter;
import dev.jgpt.tokenizer.ByteLevelBpe;
import dev.jgpt.tokenizer.Gpt2Tokenizers;
import dev.jgpt.tokenizer.Tokenizer;
import dev.jgpt.tokenizer.TokenizerLoader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the GGUF model writer adds beyond the weights (which GgufLoaderTest reads back): the tokenizer's metadata. */
class GgufModelWriterTest {
    private static ByteLevelBpe gpt2;

    @TempDir
    Path dir;

    @BeforeAll
    static void loadGpt2() throws IOException {
        try (InputStream ranks = GgufModelWriterTest.class.getResourceAsStream("/com/knuddels/jtokkit/r50k_base.tiktoken")) {
            gpt2 = Gpt2Tokenizers.fromTiktokenResource(ranks);
        }
    }

    @Test
    void aCutGpt2VocabularyReadsBackAsTheSameTokenizerPaddedToTheModel() throws IOException {
        ByteLevelBpe cut = Gpt2Tokenizers.firstTokens(gpt2, 1000);
        Path file = dir.resolve("vocab.gguf");
        GgufWriter.write(file, GgufModelWriter.vocabulary(cut, 1024), List.of());
        Tokenizer read = TokenizerLoader.fromGguf(file);
        assertThat(read.vocabSize()).isEqualTo(1024);
        assertThat(read.eosId()).hasValue(999);
        assertThat(read.bosId()).hasValue(999);
        assertThat(read.addsBos()).isFalse();
        try (Gguf gguf = Gguf.open(file)) {
            assertThat(gguf.metadata().getStringArray("tokenizer.ggml.tokens").get(1023)).isEqualTo("[PAD1023]");
        }
        String text = Files.readString(SharedData.require("corpora/tinyshakespeare.txt")).substring(0, 50_000) + "<|endoftext|>";
        int[] ids = cut.encode(text);
        assertThat(read.encode(text)).containsExactly(ids);
        assertThat(ids[ids.length - 1]).isEqualTo(999);
        assertThat(read.decode(ids)).as("the end-of-text token decodes to nothing, as a control token").isEqualTo(text.replace("<|endoftext|>", ""));
    }

    @Test
    void aVocabularyLargerThanTheModelIsRefused() {
        assertThatThrownBy(() -> GgufModelWriter.vocabulary(gpt2, 50000)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("50257 tokens for a model of 50000");
    }
}
