package dev.jgpt.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jgpt.SharedData;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The architecture zoo's GGUF vocabularies (GPT-2's under the pre-tokenizers smollm, refact,
 * qwen2 and dbrx; Llama 2's SentencePiece) tokenize the prompts to the ids llama.cpp gave
 * ({@code llama_tokenize} with specials added and parsed).
 */
class ZooTokenizerTest {
    @ParameterizedTest
    @ValueSource(strings = {"smollm", "granite", "qwen2", "olmo2", "gemma2", "phi3"})
    void tokenizesThePromptsAsLlamaCpp(String model) throws IOException {
        Path dir = SharedData.require("reference/zoo/" + model);
        JsonNode reference = Json.MAPPER.readTree(dir.resolve("reference.json").toFile());
        Tokenizer tokenizer = TokenizerLoader.fromGguf(dir.resolve("model.gguf"));
        for (JsonNode prompt : reference.get("prompts")) {
            int[] expected = Json.MAPPER.treeToValue(prompt.get("prompt_tokens"), int[].class);
            assertThat(tokenizer.encodeSequence(prompt.get("text").asText())).as("%s prompt %s", model, prompt.get("id")).containsExactly(expected);
        }
    }
}
