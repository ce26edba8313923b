package dev.jgpt.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.jgpt.SharedData;
import dev.jgpt.convert.GgufExport;
import dev.jgpt.convert.QuantizationMix;
import dev.jgpt.format.FileType;
import dev.jgpt.format.GgufWriter;
import dev.jgpt.format.Gguf;
import dev.jgpt.format.GgufNames;
import dev.jgpt.generate.GenerationSettings;
import dev.jgpt.generate.Generator;
import dev.jgpt.generate.LanguageModel;
import dev.jgpt.generate.TokenListener;
import dev.jgpt.lora.LoraFile;
import dev.jgpt.lora.LoraMerge;
import dev.jgpt.lora.LoraTargets;
import dev.jgpt.model.Transformer;
import dev.jgpt.sampling.SamplerSettings;
import dev.jgpt.tensor.DType;
import dev.jgpt.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LoRA fine-tuning end to end: on stories260K (F32) and on its Q8_0 copy that jgpt quantizes, the loss on a
 * new text falls; the adapter written at the end is llama.cpp's layout, and a model opened with it
 * ({@code --lora}) gives the training model's own greedy tokens and logits, bit for bit, and the
 * logits of the model it merges into (within float tolerance).
 */
class LoraTrainingTest {
    private static final GgufWriter.Progress QUIET = (index, count, entry) -> {};
    private static final LoraTargets TARGETS = LoraTargets.parse("q,k,v,o,up,down");

    @TempDir
    Path dir;

    @Test
    void storiesLearnsAParagraphOfShakespeare() throws IOException {
        Path stories = SharedData.require("models/stories260K.gguf");
        String paragraph = Files.readString(SharedData.require("corpora/tinyshakespeare.txt")).substring(0, 1200);
        fineTune(stories, paragraph, "First Citizen:");
    }

    @Test
    void aQuantizedCopyLearnsThroughItsFrozenWeights() throws IOException {
        Path stories = SharedData.require("models/stories260K.gguf");
        Path base = dir.resolve("stories-q8_0.gguf");
        try (GgufExport export = GgufExport.open(stories)) {
            export.write(base, QuantizationMix.of(FileType.Q8_0), QUIET);
        }
        try (Gguf quantized = Gguf.open(base)) {
            assertThat(quantized.require("blk.0.attn_q.weight").dtype()).isEqualTo(DType.Q8_0);
        }
        String paragraph = Files.readString(SharedData.require("corpora/tinyshakespeare.txt")).substring(5000, 6200);
        fineTune(base, paragraph, "MENENIUS:");
    }

    private void fineTune(Path base, String text, String prompt) throws IOException {
        Path data = Files.writeString(dir.resolve("text.txt"), text);
        Path adapter = dir.resolve("adapter.gguf");
        TrainingSettings settings = new TrainingSettings(4, 1, 24, 30, 3e-3f, 3e-4f, 3, true, new AdamWSettings(0.9f, 0.999f, 1e-8f, 0f),
                1f, 0.25, 0, 2, 0, 0, 0, 5, Batching.RANDOM);
        List<Double> losses = new ArrayList<>();
        try (LanguageModel lm = LanguageModel.open(base);
             LoraParameters lora = LoraParameters.create(lm.transformer().weights(), TARGETS, 4, 8f, 1)) {
            LoraTrainingModel model = new LoraTrainingModel(lm.transformer().weights(), lora);
            Tokenizer tokenizer = lm.tokenizer();
            new Trainer(model, new AdamW(lora, settings.adamW()), tokenizer, settings,
                    TokenDataset.fromText(data, tokenizer).split(settings.validationFraction()), dir,
                    state -> lora.adapter().write(adapter, DType.F32), new TrainingListener() {
                        @Override
                        public void onStep(long step, long total, double loss, double lr, double norm, double tokensPerSecond) {
                            losses.add(loss);
                        }
                    }).run(0);
            double first = losses.getFirst();
            double last = losses.subList(losses.size() - 5, losses.size()).stream().mapToDouble(d -> d).average().orElseThrow();
            System.out.printf("%s: loss %.4f → %.4f%n", base.getFileName(), first, last);
            assertThat(last).as("the mean loss of the last 5 steps").isLessThan(first - 0.5);

            try (Gguf file = Gguf.open(adapter)) {
                assertThat(file.metadata().optionalString(GgufNames.TYPE)).contains("adapter");
                assertThat(file.metadata().optionalString(GgufNames.ADAPTER_TYPE)).contains("lora");
                assertThat(file.metadata().optionalFloat(GgufNames.LORA_ALPHA)).contains(8f);
                assertThat(file.require("blk.0.attn_q.weight.lora_a").shape()).containsExactly(4L, (long) lm.config().embd());
            }
            int[] promptIds = tokenizer.encode(prompt);
            try (LanguageModel adapted = LanguageModel.open(base, List.of(new LoraFile(adapter, 1f)))) {
                Transformer trained = new Transformer(model.weights());
                assertThat(greedy(adapted.transformer(), tokenizer, promptIds)).isEqualTo(greedy(trained, tokenizer, promptIds));
                assertThat(logits(adapted.transformer(), promptIds)).isEqualTo(logits(trained, promptIds))
                        .isNotEqualTo(logits(lm.transformer(), promptIds));
            }
            Path merged = dir.resolve("merged.gguf");
            // merged into F32 weights, W + s·B·A is exact: a quantized weight's own values plus the term
            LoraMerge.write(base, List.of(new LoraFile(adapter, 1f)), merged, QuantizationMix.of(FileType.F32), QUIET);
            try (LanguageModel reference = LanguageModel.open(merged)) {
                float[] want = logits(reference.transformer(), promptIds);
                float[] got = logits(new Transformer(model.weights()), promptIds);
                for (int i = 0; i < want.length; i++) {
                    assertThat(got[i]).as("logit %d", i).isCloseTo(want[i], within(2e-4f * (1 + Math.abs(want[i]))));
                }
            }
        }
    }

    private static int[] greedy(Transformer model, Tokenizer tokenizer, int[] prompt) {
        return new Generator(model, tokenizer).generate(prompt, GenerationSettings.of(20, SamplerSettings.greedy()),
                TokenListener.NONE).tokens();
    }

    private static float[] logits(Transformer model, int[] prompt) {
        return model.forward(prompt, 0, prompt.length, model.newCache(prompt.length)).clone();
    }
}
