package dev.jgpt.inspect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jgpt.JgptException;
import dev.jgpt.SharedData;
import dev.jgpt.convert.RandomModel;
import dev.jgpt.model.KvCache;
import dev.jgpt.model.LayerWeights;
import dev.jgpt.model.ModelConfig;
import dev.jgpt.model.NormWeights;
import dev.jgpt.model.Transformer;
import dev.jgpt.model.load.ModelFiles;
import dev.jgpt.tensor.DType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The probe's recordings against PyTorch's logits, a float64 attention computed here, and the unprobed forward pass. */
class TraceTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest
    @ValueSource(strings = {"tiny", "tiny_sharp"})
    void tracedLogitsAreThoseOfPyTorch(String fixture) throws IOException {
        Path dir = SharedData.require("fixtures/" + fixture);
        JsonNode expected = JSON.readTree(dir.resolve("logits.json").toFile());
        int[] tokens = JSON.convertValue(expected.get("tokens"), int[].class);
        try (ModelFiles model = ModelFiles.open(dir)) {
            Trace trace = Trace.record(model.transformer(), tokens);
            for (int t = 0; t < tokens.length; t++) {
                JsonNode want = expected.get("logits").get(t);
                for (int v = 0; v < want.size(); v++) {
                    assertThat(trace.logits(t)[v]).as("%s logits[%d][%d]", fixture, t, v)
                            .isCloseTo((float) want.get(v).asDouble(), within(1e-5f));
                }
            }
        }
    }

    /** Each block's attention recomputed in float64 from the block's input (the residual the trace recorded before it). */
    @Test
    void attentionIsTheSoftmaxOfScaledQueryKeyProducts() throws IOException {
        Path dir = SharedData.require("fixtures/tiny_sharp");
        int[] tokens = JSON.convertValue(JSON.readTree(dir.resolve("logits.json").toFile()).get("tokens"), int[].class);
        try (ModelFiles model = ModelFiles.open(dir)) {
            ModelConfig c = model.config();
            Trace trace = Trace.record(model.transformer(), tokens);
            int e = c.embd();
            int d = c.headSize();
            for (int layer = 0; layer < c.layers(); layer++) {
                LayerWeights w = model.transformer().weights().layers().get(layer);
                double[][] q = new double[tokens.length][];
                double[][] k = new double[tokens.length][];
                for (int t = 0; t < tokens.length; t++) {
                    double[] x = layer == 0 ? embedding(model, tokens[t], t) : toDouble(trace.residual(layer - 1, t));
                    double[] qkv = project(layerNorm(x, w.attentionNorm(), c.normEps()), w);
                    q[t] = Arrays.copyOfRange(qkv, 0, e);
                    k[t] = Arrays.copyOfRange(qkv, e, 2 * e);
                }
                for (int head = 0; head < c.heads(); head++) {
                    for (int query = 0; query < tokens.length; query++) {
                        double[] scores = new double[query + 1];
                        double sum = 0;
                        for (int key = 0; key <= query; key++) {
                            double dot = 0;
                            for (int i = 0; i < d; i++) {
                                dot += q[query][head * d + i] * k[key][head * d + i];
                            }
                            scores[key] = Math.exp(dot / Math.sqrt(d));
                            sum += scores[key];
                        }
                        float[] row = trace.attention(layer, head)[query];
                        for (int key = 0; key < tokens.length; key++) {
                            double want = key <= query ? scores[key] / sum : 0;
                            assertThat(row[key]).as("layer %d head %d [%d][%d]", layer, head, query, key)
                                    .isCloseTo((float) want, within(2e-5f));
                        }
                    }
                }
            }
        }
    }

    @Test
    void gqaModelFromGgufKeepsItsLogitsAndGivesCausalAttention() {
        try (ModelFiles model = ModelFiles.open(SharedData.require("models/stories260K.gguf"))) {
            Transformer transformer = model.transformer();
            int[] tokens = randomTokens(60, model.config().vocabSize(), 3); // long enough for heads to run in parallel
            float[][] plain = logits(transformer, tokens);
            Trace trace = Trace.record(transformer, tokens);
            // equal up to rounding (1e-6 relative): before C2 compiles them, Vector API reductions sum in
            // another order, so two unprobed passes differ as much; once compiled, all agree bit for bit
            for (int t = 0; t < tokens.length; t++) {
                assertThat(trace.logits(t)).as("position %d", t).containsExactly(plain[t], within(1e-4f));
            }
            assertCausalRows(trace);
            // the probe is detached afterwards: the next forward pass records nothing and runs as before
            float[] row = trace.attention(2, 5)[30].clone();
            logits(transformer, randomTokens(40, model.config().vocabSize(), 9));
            assertThat(trace.attention(2, 5)[30]).containsExactly(row);
            assertThat(logits(transformer, tokens)[tokens.length - 1]).containsExactly(plain[tokens.length - 1], within(1e-4f));
        }
    }

    @Test
    void decodingOneTokenAtATimeRecordsWhatPrefillRecords() {
        try (ModelFiles model = ModelFiles.open(SharedData.require("models/stories260K.gguf"))) {
            Transformer transformer = model.transformer();
            ModelConfig c = model.config();
            int[] tokens = randomTokens(40, c.vocabSize(), 4);
            Trace prefill = Trace.record(transformer, tokens);
            float[][][][] attention = new float[c.layers()][c.heads()][tokens.length][];
            float[][][] residual = new float[c.layers()][tokens.length][];
            transformer.setProbe(new Transformer.Probe() {
                @Override
                public void attention(int layer, int start, int rows, float[] weights, int headStride, int rowStride) {
                    assertThat(rows).isEqualTo(1);
                    for (int head = 0; head < c.heads(); head++) {
                        attention[layer][head][start] = Arrays.copyOfRange(weights, head * headStride, head * headStride + start + 1);
                    }
                }

                @Override
                public void residual(int layer, int start, int rows, float[] x) {
                    residual[layer][start] = Arrays.copyOf(x, c.embd());
                }
            });
            try {
                KvCache cache = transformer.newCache(tokens.length);
                for (int t = 0; t < tokens.length; t++) {
                    transformer.forward(tokens, t, t + 1, cache);
                }
            } finally {
                transformer.setProbe(null);
            }
            for (int layer = 0; layer < c.layers(); layer++) {
                for (int t = 0; t < tokens.length; t++) {
                    for (int head = 0; head < c.heads(); head++) {
                        float[] want = Arrays.copyOf(prefill.attention(layer, head)[t], t + 1);
                        assertThat(attention[layer][head][t]).as("layer %d head %d row %d", layer, head, t)
                                .containsExactly(want, within(1e-5f));
                    }
                    assertThat(residual[layer][t]).containsExactly(prefill.residual(layer, t), within(1e-4f));
                }
            }
        }
    }

    @Test
    void theLastResidualReadsOutAsTheLogits() throws IOException {
        try (ModelFiles model = ModelFiles.open(SharedData.require("fixtures/tiny_sharp"))) {
            Transformer transformer = model.transformer();
            int[] tokens = randomTokens(20, model.config().vocabSize(), 5);
            Trace trace = Trace.record(transformer, tokens);
            assertCausalRows(trace);
            float[] out = new float[model.config().vocabSize()];
            for (int t = 0; t < tokens.length; t++) {
                transformer.readOut(trace.residual(model.config().layers() - 1, t), 0, out);
                assertThat(out).as("position %d", t).containsExactly(trace.logits(t), within(1e-5f));
            }
        }
    }

    @Test
    void textsTheModelCannotTakeAreClearErrors() {
        try (ModelFiles model = ModelFiles.open(SharedData.require("fixtures/tiny"))) {
            Transformer transformer = model.transformer();
            assertThatThrownBy(() -> Trace.record(transformer, new int[33])).isInstanceOf(JgptException.class)
                    .hasMessageContaining("33 tokens").hasMessageContaining("context window of 32");
            assertThatThrownBy(() -> Trace.record(transformer, new int[0])).isInstanceOf(JgptException.class)
                    .hasMessageContaining("no tokens");
            assertThatThrownBy(() -> Trace.record(transformer, new int[] {1, 64})).isInstanceOf(JgptException.class)
                    .hasMessageContaining("token id 64");
        }
    }

    @Test
    void aTraceTooLargeForTheHeapIsRefusedBeforeItIsAllocated(@TempDir Path dir) {
        // 64 heads over 4096 positions: 2^30 attention weights, 4 GiB
        RandomModel.write(ModelConfig.gpt2(1, 64, 64, 4096, 64), DType.F32, 1, dir);
        try (ModelFiles model = ModelFiles.open(dir)) {
            assertThatThrownBy(() -> Trace.record(model.transformer(), new int[4096])).isInstanceOf(JgptException.class)
                    .hasMessageContaining("tracing 4096 tokens keeps").hasMessageContaining("shorter text");
        }
    }

    static void assertCausalRows(Trace trace) {
        for (int layer = 0; layer < trace.layers(); layer++) {
            for (int head = 0; head < trace.heads(); head++) {
                float[][] rows = trace.attention(layer, head);
                for (int q = 0; q < rows.length; q++) {
                    double sum = 0;
                    for (int k = 0; k < rows.length; k++) {
                        if (k > q) {
                            assertThat(rows[q][k]).as("layer %d head %d [%d][%d] above the diagonal", layer, head, q, k).isZero();
                        } else {
                            assertThat(rows[q][k]).isBetween(0f, 1f);
                            sum += rows[q][k];
                        }
                    }
                    assertThat(sum).as("layer %d head %d row %d", layer, head, q).isCloseTo(1, within(1e-5));
                }
            }
        }
    }

    static int[] randomTokens(int n, int vocab, long seed) {
        Random random = new Random(seed);
        int[] tokens = new int[n];
        for (int i = 0; i < n; i++) {
            tokens[i] = random.nextInt(vocab);
        }
        return tokens;
    }

    private static float[][] logits(Transformer transformer, int[] tokens) {
        float[][] rows = new float[tokens.length][];
        int v = transformer.config().vocabSize();
        transformer.forwardAll(tokens, 0, tokens.length, transformer.newCache(tokens.length),
                (row, logits, offset) -> rows[row] = Arrays.copyOfRange(logits, offset, offset + v));
        return rows;
    }

    private static double[] embedding(ModelFiles model, int token, int position) {
        int e = model.config().embd();
        double[] x = new double[e];
        var w = model.transformer().weights();
        for (int i = 0; i < e; i++) {
            x[i] = w.tokenEmbedding().dtype().read(w.tokenEmbedding().data(), (long) token * e + i)
                    + w.positionEmbedding().dtype().read(w.positionEmbedding().data(), (long) position * e + i);
        }
        return x;
    }

    private static double[] layerNorm(double[] x, NormWeights norm, double eps) {
        double mean = Arrays.stream(x).average().orElseThrow();
        double variance = Arrays.stream(x).map(v -> (v - mean) * (v - mean)).average().orElseThrow();
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = (x[i] - mean) / Math.sqrt(variance + eps) * norm.weight()[i] + norm.bias()[i];
        }
        return out;
    }

    private static double[] project(double[] h, LayerWeights w) {
        assertThat(w.qkv()).as("a GPT-2 block").isNotNull();
        double[] y = new double[w.qkv().out()];
        for (int o = 0; o < y.length; o++) {
            double s = w.qkv().bias()[o];
            for (int i = 0; i < h.length; i++) {
                s += h[i] * w.qkv().weight().get(i, o);
            }
            y[o] = s;
        }
        return y;
    }

    private static double[] toDouble(float[] x) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i];
        }
        return out;
    }
}
