package dev.jgpt.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jgpt.SharedData;
import dev.jgpt.model.load.ModelFiles;
import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** stories260K.gguf (a Llama with grouped-query attention) against llama.cpp's greedy generations. */
class LlamaConformanceTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void greedyGenerationEqualsLlamaCppTokenForToken() throws IOException {
        JsonNode reference = JSON.readTree(SharedData.require("reference/stories260K_greedy.json").toFile());
        try (ModelFiles model = ModelFiles.open(SharedData.require("models/stories260K.gguf"))) {
            Transformer transformer = model.transformer();
            assertThat(model.config().architecture().name()).isEqualTo("llama");
            assertThat(model.config().kvHeads()).isEqualTo(4);
            for (JsonNode result : reference.get("results")) {
                int[] prompt = Gpt2ConformanceTest.ints(result.get("prompt_tokens"));
                int[] want = Gpt2ConformanceTest.ints(result.get("generated_tokens"));
                int[] sequence = Arrays.copyOf(prompt, prompt.length + want.length);
                KvCache cache = transformer.newCache();
                float[] logits = transformer.forward(sequence, 0, prompt.length, cache);
                for (int i = 0; i < want.length; i++) {
                    int position = prompt.length + i;
                    sequence[position] = Gpt2ConformanceTest.argmax(logits);
                    if (i + 1 < want.length) {
                        logits = transformer.forward(sequence, position, position + 1, cache);
                    }
                }
                assertThat(Arrays.copyOfRange(sequence, prompt.length, sequence.length))
                        .as("continuation of \"%s\"", result.get("prompt").asText()).containsExactly(want);
            }
        }
    }
}
