package dev.jgpt.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jgpt.JgptException;
import dev.jgpt.convert.RandomModel;
import dev.jgpt.format.SafeTensors;
import dev.jgpt.format.SafeTensorsWriter;
import dev.jgpt.model.KvCache;
import dev.jgpt.model.ModelConfig;
import dev.jgpt.model.Transformer;
import dev.jgpt.model.load.ModelFiles;
import dev.jgpt.sampling.Sampler;
import dev.jgpt.sampling.SamplerSettings;
import dev.jgpt.tensor.DType;
import dev.jgpt.tensor.Tensor;
import dev.jgpt.tokenizer.CharTokenizer;
import dev.jgpt.tokenizer.TokenizerJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Models as they come in the wild: a vocabulary padded past its tokenizer (nanoGPT rounds GPT-2's
 * 50257 up to 50304), and weights holding NaN. Generation never samples an id the tokenizer lacks,
 * and never runs on scores that are not numbers.
 */
class UnusualModelsTest {
    /** Printable ASCII and the newline: 96 tokens. */
    private static final CharTokenizer TOKENIZER = CharTokenizer.fromCorpus(
            IntStream.rangeClosed(32, 126).collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append) + "\n");
    /** Rows of the embedding past the tokenizer's last id. */
    private static final int PADDING = 64;

    @TempDir
    Path dir;

    /** A random GPT-2 whose embedding has {@link #PADDING} rows more than the tokenizer has tokens. */
    private Path paddedModel() {
        Path model = dir.resolve("padded");
        RandomModel.write(ModelConfig.gpt2(2, 2, 32, 256, TOKENIZER.vocabSize() + PADDING), DType.F32, 3L, model);
        TokenizerJson.write(TOKENIZER, model.resolve("tokenizer.json"));
        return model;
    }

    @Test
    void aPaddedVocabularyNeverYieldsAnIdTheTokenizerLacks() {
        int[] prompt = TOKENIZER.encode("The cat");
        int n = 40;
        try (LanguageModel lm = LanguageModel.open(paddedModel())) {
            // the reference: the model run here, greedy among the tokenizer's ids
            Transformer model = lm.transformer();
            KvCache cache = model.newCache();
            int[] sequence = Arrays.copyOf(prompt, prompt.length + n);
            float[] logits = model.forward(sequence, 0, prompt.length, cache);
            assertThat(paddingMass(logits)).as("the probability the model gives the padding ids").isGreaterThan(0.2);
            for (int i = prompt.length; i < sequence.length; i++) {
                sequence[i] = Sampler.argmax(logits, TOKENIZER.vocabSize());
                logits = model.forward(sequence, i, i + 1, cache);
            }

            Generation greedy = lm.generate(prompt, GenerationSettings.of(n, SamplerSettings.greedy()), TokenListener.NONE);
            assertThat(greedy.tokens()).containsExactly(Arrays.copyOfRange(sequence, prompt.length, sequence.length));
            // drawn from the whole distribution, with penalties: without the mask, some of 200 tokens would be padding
            Generation sampled = lm.generate(prompt, GenerationSettings.of(200, new SamplerSettings(1f, 0, 1f, 0f, 1.3f, 5L)),
                    TokenListener.NONE);
            assertThat(sampled.tokens()).hasSize(200);
            assertThat(Arrays.stream(sampled.tokens()).max().orElseThrow()).isLessThan(TOKENIZER.vocabSize());
        }
    }

    /** The softmax probability of the ids past the tokenizer's. */
    private static double paddingMass(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double all = 0;
        double padding = 0;
        for (int i = 0; i < logits.length; i++) {
            double p = Math.exp(logits[i] - max);
            all += p;
            padding += i >= TOKENIZER.vocabSize() ? p : 0;
        }
        return padding / all;
    }

    @Test
    void nanWeightsAreAClearErrorAtTheFirstToken() throws IOException {
        Path model = paddedModel();
        Path poisoned = dir.resolve("poisoned");
        Files.createDirectories(poisoned);
        try (SafeTensors weights = SafeTensors.open(model.resolve(ModelFiles.WEIGHTS))) {
            List<SafeTensorsWriter.Entry> entries = weights.names().stream().sorted().map(name -> {
                Tensor t = weights.find(name).orElseThrow();
                if (!name.endsWith("ln_f.weight")) {
                    return SafeTensorsWriter.Entry.of(t, t.dtype());
                }
                float[] nan = new float[(int) t.elementCount()];
                Arrays.fill(nan, Float.NaN);
                return SafeTensorsWriter.Entry.of(name, t.dtype(), t.shape(), nan);
            }).toList();
            SafeTensorsWriter.write(poisoned.resolve(ModelFiles.WEIGHTS), entries, Map.of("format", "pt"));
        }
        Files.copy(model.resolve(ModelFiles.CONFIG), poisoned.resolve(ModelFiles.CONFIG));
        Files.copy(model.resolve("tokenizer.json"), poisoned.resolve("tokenizer.json"));
        try (LanguageModel lm = LanguageModel.open(poisoned)) {
            assertThatThrownBy(() -> lm.generate("The", GenerationSettings.of(20, SamplerSettings.greedy()), TokenListener.NONE))
                    .isInstanceOf(JgptException.class)
                    .hasMessage("the model's scores at new token 1 are not finite (NaN for id 0): its weights hold NaN or Inf; "
                            + "check them with --check-tensors");
        }
    }
}
