package dev.jgpt.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jgpt.JgptException;
import dev.jgpt.TinyModels;
import dev.jgpt.convert.GgufModelWriter;
import dev.jgpt.convert.RandomModel;
import dev.jgpt.format.FormatException;
import dev.jgpt.model.ModelConfig;
import dev.jgpt.sampling.SamplerSettings;
import dev.jgpt.tensor.DType;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model and its tokenizer opened together: vocabularies that fit, and those that do not; the context size its generations get. */
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

    @Test
    void theContextSizeBoundsGenerationAndCannotExceedTheModelsContextLength() {
        try (LanguageModel lm = LanguageModel.open(TinyModels.gpt2Folder(dir.resolve("gpt2"), DType.F32))) {
            int length = lm.config().contextLength();
            assertThat(lm.contextSize()).isEqualTo(length);
            GenerationSettings settings = GenerationSettings.of(length, SamplerSettings.greedy());
            int[] prompt = {1, 2, 3};
            // the last new token is sampled, never run: a window of W positions writes W - prompt + 1 tokens
            assertThat(lm.generate(prompt, settings, TokenListener.NONE).tokens()).hasSize(length - prompt.length + 1);

            lm.setContextSize(8);
            assertThat(lm.contextSize()).isEqualTo(8);
            Generation cut = lm.generate(prompt, settings, TokenListener.NONE);
            assertThat(cut.finishReason()).isEqualTo(FinishReason.CONTEXT_FULL);
            assertThat(cut.tokens()).hasSize(8 - prompt.length + 1);

            assertThatThrownBy(() -> lm.setContextSize(length + 1)).isInstanceOf(JgptException.class)
                    .hasMessageContaining(String.valueOf(length + 1)).hasMessageContaining("context length is " + length);
            assertThatThrownBy(() -> lm.setContextSize(0)).isInstanceOf(JgptException.class);
            assertThat(lm.contextSize()).isEqualTo(8);
        }
    }
}
