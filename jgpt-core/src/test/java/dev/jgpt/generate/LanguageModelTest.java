package dev.jgpt.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jgpt.TinyModels;
import dev.jgpt.convert.GgufModelWriter;
import dev.jgpt.convert.RandomModel;
import dev.jgpt.format.FormatException;
import dev.jgpt.model.ModelConfig;
import dev.jgpt.tensor.DType;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model and its tokenizer opened together: vocabularies that fit, and those that do not. */
class LanguageModelTest {
    @TempDir
    Path dir;

    @Test
    void aVocabularyPaddedBeyondTheTokenizerOpensAndSaysHowManyIdsNoTokenHas() {
        Path model = TinyModels.gpt2Folder(dir.resolve("padded"), DType.F32, TinyModels.VOCAB + 47);
        try (LanguageModel lm = LanguageModel.open(model)) {
            assertThat(lm.config().vocabSize()).isEqualTo(TinyModels.VOCAB + 47);
            assertThat(lm.unusedIds()).isEqualTo(47);
        }
        try (LanguageModel lm = LanguageModel.open(TinyModels.gpt2Folder(dir.resolve("exact"), DType.F32))) {
            assertThat(lm.unusedIds()).isZero();
        }
    }

    @Test
    void aTokenizerLargerThanTheModelIsRefusedNamingBothSizesAndFiles() {
        int small = TinyModels.VOCAB - 10;
        Path folder = TinyModels.gpt2Folder(dir.resolve("small"), DType.F32, small);
        assertThatThrownBy(() -> LanguageModel.open(folder)).isInstanceOf(FormatException.class)
                .hasMessage(folder + ": the tokenizer (tokenizer.json) has " + TinyModels.VOCAB
                        + " tokens, more than the model's vocabulary of " + small + " (vocab_size in config.json)");

        ModelConfig llama = TinyModels.LLAMA;
        GgufModelWriter.Contents contents = RandomModel.gguf(new ModelConfig(llama.architecture(), llama.layers(), llama.heads(),
                llama.kvHeads(), llama.embd(), llama.mlpHidden(), llama.contextLength(), small, llama.normEps(), llama.tiedOutput()),
                DType.F32, 1);
        contents.metadata().putAll(GgufModelWriter.vocabulary(TinyModels.TOKENIZER, TinyModels.VOCAB));
        Path gguf = dir.resolve("small.gguf");
        contents.write(gguf);
        assertThatThrownBy(() -> LanguageModel.open(gguf)).isInstanceOf(FormatException.class)
                .hasMessage(gguf + ": the tokenizer (tokenizer.ggml.tokens) has " + TinyModels.VOCAB
                        + " tokens, more than the model's vocabulary of " + small + " (the rows of token_embd.weight)");
    }
}
