package dev.jgpt.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jgpt.SharedData;
import dev.jgpt.model.load.ModelFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The forward pass against ../shared/fixtures: logits of a float64 PyTorch GPT-2. */
public class Gpt2ConformanceTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest
    @ValueSource(strings = {"tiny", "tiny_f16", "tiny_bf16", "tiny_prefixed", "tiny_sharp"})
    void logitsOfEveryPositionMatchPyTorch(String fixture) throws IOException {
        Path dir = SharedData.require("fixtures/" + fixture);
        JsonNode expected = JSON.readTree(dir.resolve("logits.json").toFile());
        int[] tokens = ints(expected.get("tokens"));
        try (ModelFiles model = ModelFiles.open(dir)) {
            Transformer transformer = model.transformer();
            List<float[]> rows = new ArrayList<>();
            transformer.forwardAll(tokens, 0, tokens.length, transformer.newCache(), (row, logits, offset) ->
                    rows.add(Arrays.copyOfRange(logits, offset, offset + model.config().vocabSize())));
            assertThat(rows).hasSize(tokens.length);
            for (int t = 0; t < tokens.length; t++) {
                JsonNode want = expected.get("logits").get(t);
                for (int v = 0; v < want.size(); v++) {
                    assertThat(rows.get(t)[v]).as("%s logits[%d][%d]", fixture, t, v)
                            .isCloseTo((float) want.get(v).asDouble(), within(1e-5f));
                }
                assertThat(argmax(rows.get(t))).as("%s greedy at %d", fixture, t).isEqualTo(expected.get("greedy").get(t).asInt());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny", "tiny_sharp"})
    void kvCacheDecodeEqualsFullRecomputeAndPyTorchGreedy(String fixture) throws IOException {
        Path dir = SharedData.require("fixtures/" + fixture);
        JsonNode expected = JSON.readTree(dir.resolve("generate.json").toFile());
        int[] prompt = ints(expected.get("prompt"));
        int[] want = ints(expected.get("generated"));
        try (ModelFiles model = ModelFiles.open(dir)) {
            Transformer transformer = model.transformer();
            KvCache cache = transformer.newCache();
            int[] sequence = Arrays.copyOf(prompt, prompt.length + want.length);
            float[] logits = transformer.forward(sequence, 0, prompt.length, cache);
            for (int i = 0; i < want.length; i++) {
                int next = argmax(logits);
                sequence[prompt.length + i] = next;
                // the cached step must agree with a fresh pass over the whole sequence so far
                float[] cached = logits.clone();
                float[] fresh = transformer.forward(sequence, 0, prompt.length + i, transformer.newCache()).clone();
                for (int v = 0; v < cached.length; v++) {
                    assertThat(cached[v]).isCloseTo(fresh[v], within(1e-5f));
                }
                if (i + 1 < want.length) {
                    logits = transformer.forward(sequence, prompt.length + i, prompt.length + i + 1, cache);
                }
            }
            assertThat(Arrays.copyOfRange(sequence, prompt.length, sequence.length)).containsExactly(want);
        }
    }

    public static int argmax(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }

    public static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }
}
