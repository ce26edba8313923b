package dev.jgpt.model;

import static org.assertj.core.api.Assertions.assertThat;

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
}
