package dev.jgpt.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jgpt.convert.GgufExport;
import dev.jgpt.convert.QuantizationMix;
import dev.jgpt.format.FileType;
import dev.jgpt.model.load.ModelFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** jgpt's logits on ../shared/reference/gpt2-124m-random against llama.cpp's. */
class LlamaCppLogitsTest {

    @Test
    void f32SafetensorsLogitsEqualLlamaCpp() throws Exception {
        float[] expected = RandomGpt2Reference.llamaCppLogits("f32");
        try (ModelFiles model = ModelFiles.open(RandomGpt2Reference.huggingFaceFolder())) {
            Transformer transformer = model.transformer();
            int[] prompt = RandomGpt2Reference.PROMPT;
            float[] logits = transformer.forward(prompt, 0, prompt.length, transformer.newCache());
            assertThat(logits).hasSize(RandomGpt2Reference.VOCAB).hasSameSizeAs(expected);
            assertThat(RandomGpt2Reference.maxAbsDifference(logits, expected)).isLessThan(2e-3f);
            assertThat(Gpt2ConformanceTest.argmax(logits)).as("greedy token (llama.cpp: 12028 \" Rating\")")
                    .isEqualTo(Gpt2ConformanceTest.argmax(expected));
        }
    }

    /**
     * The same weights quantized to Q8_0 by jgpt, against llama-quantize's Q8_0 file run by
     * llama.cpp. The blocks are the same when the rounding is, but llama.cpp also rounds the
     * activations to 8 bits, so the logits land near, not on, each other (README of the reference).
     */
    @Test
    void q8_0LogitsLandNearLlamaCpp() throws Exception {
        float[] llamaF32 = RandomGpt2Reference.llamaCppLogits("f32");
        float[] llamaQ8 = RandomGpt2Reference.llamaCppLogits("q8_0");
        Path hf = RandomGpt2Reference.huggingFaceFolder();
        Path gguf = hf.resolveSibling("q8_0.gguf");
        if (!Files.exists(gguf)) {
            try (GgufExport export = GgufExport.open(hf)) {
                export.write(gguf, QuantizationMix.of(FileType.Q8_0), (index, count, entry) -> { });
            }
        }
        try (ModelFiles model = ModelFiles.open(gguf)) {
            Transformer transformer = model.transformer();
            int[] prompt = RandomGpt2Reference.PROMPT;
            float[] logits = transformer.forward(prompt, 0, prompt.length, transformer.newCache(prompt.length));
            // the part of each Q8_0 result's error that comes from rounding the weights is shared
            // when the blocks are the same: the two errors correlate, and jgpt's result (weights
            // rounded, activations not) lies nearer llama.cpp's than llama.cpp's lies to F32
            double shared = 0, ours = 0, theirs = 0, between = 0;
            for (int i = 0; i < logits.length; i++) {
                double x = logits[i] - llamaF32[i];
                double y = llamaQ8[i] - llamaF32[i];
                shared += x * y;
                ours += x * x;
                theirs += y * y;
                between += (logits[i] - llamaQ8[i]) * (logits[i] - llamaQ8[i]);
            }
            assertThat(shared / Math.sqrt(ours * theirs)).as("correlation of the Q8_0 errors").isGreaterThan(0.6);
            assertThat(between).as("squared distance to llama.cpp's Q8_0").isLessThan(theirs);
            assertThat(RandomGpt2Reference.maxAbsDifference(logits, llamaQ8))
                    .isLessThan(RandomGpt2Reference.maxAbsDifference(llamaF32, llamaQ8));
        }
    }
}
