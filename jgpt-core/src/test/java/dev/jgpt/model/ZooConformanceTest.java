package dev.jgpt.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jgpt.SharedData;
import dev.jgpt.model.load.ModelFiles;
import dev.jgpt.tokenizer.Tokenizer;
import dev.jgpt.tokenizer.TokenizerLoader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The architecture zoo ({@code ../shared/reference/zoo}): one small random-weight GGUF per family,
 * run by llama.cpp. jgpt gives its prompt ids, every logit at the last prompt position within the
 * zoo README's tolerance, and its greedy tokens up to the first step whose recorded top-1/top-2
 * margin is below that tolerance (where a token may legitimately flip).
 */
class ZooConformanceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Tokens llama.cpp generated per prompt; its greedy context held the prompt and these. */
    private static final int GREEDY_STEPS = 32;

    @ParameterizedTest(name = "{0}")
    @CsvSource({"gemma2, 5e-2", "phi3, 1e-4", "qwen2, 1e-4", "smollm, 1e-4", "granite, 1e-4", "olmo2, 1e-4"})
    void promptIdsLogitsAndGreedyTokensAreLlamaCpps(String model, double tolerance) throws IOException {
        Path dir = SharedData.require("reference/zoo/" + model);
        JsonNode reference = JSON.readTree(dir.resolve("reference.json").toFile());
        Tokenizer tokenizer = TokenizerLoader.fromGguf(dir.resolve("model.gguf"));
        try (ModelFiles files = ModelFiles.open(dir.resolve("model.gguf"))) {
            Transformer transformer = files.transformer();
            for (JsonNode prompt : reference.get("prompts")) {
                String id = model + " prompt " + prompt.get("id").asText();
                int[] ids = tokenizer.encodeSequence(prompt.get("text").asText());
                assertThat(ids).as("%s: ids", id).containsExactly(JSON.treeToValue(prompt.get("prompt_tokens"), int[].class));
                KvCache cache = transformer.newCache(ids.length + GREEDY_STEPS);
                float[] logits = transformer.forward(ids, 0, ids.length, cache);
                float[] expected = floats(dir.resolve(prompt.get("logits_file").asText()));
                assertThat(logits.length).isEqualTo(expected.length);
                assertThat(maxAbsDifference(logits, expected)).as("%s: largest logit difference", id).isLessThan(tolerance);
                int[] greedy = JSON.treeToValue(prompt.get("greedy_tokens"), int[].class);
                double[] margins = JSON.treeToValue(prompt.get("greedy_top2_margins"), double[].class);
                int[] token = new int[1];
                for (int step = 0; step < greedy.length && margins[step] >= tolerance; step++) {
                    token[0] = argmax(logits);
                    assertThat(token[0]).as("%s: greedy step %d", id, step).isEqualTo(greedy[step]);
                    logits = transformer.forward(token, 0, 1, cache);
                }
            }
        }
    }

    private static float[] floats(Path file) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        float[] values = new float[bytes.remaining() / Float.BYTES];
        bytes.asFloatBuffer().get(values);
        return values;
    }

    private static double maxAbsDifference(float[] a, float[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    private static int argmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) {
            if (x[i] > x[best]) {
                best = i;
            }
        }
        return best;
    }
}
