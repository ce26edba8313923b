package dev.jgpt.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jgpt.JgptException;
import dev.jgpt.TinyModels;
import dev.jgpt.inspect.Trace;
import dev.jgpt.model.Architecture;
import dev.jgpt.model.ModelConfig;
import dev.jgpt.model.NormWeights;
import dev.jgpt.tensor.DType;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** An embedding is the pooled final-norm hidden state, computed here from a trace of the forward pass and a norm written out in full. */
class EmbeddingsTest {
    @TempDir
    Path dir;

    private LanguageModel open(String family) {
        return LanguageModel.open(family.equals("gpt2") ? TinyModels.gpt2Folder(dir, DType.F32)
                : TinyModels.llamaGguf(dir.resolve("llama.gguf"), DType.F32));
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama"})
    void meanAndLastPoolingMatchTheTracedHiddenStates(String family) {
        try (LanguageModel lm = open(family)) {
            int[] tokens = lm.tokenizer().encodeSequence("the cat sat on the mat");
            Trace trace = Trace.record(lm.transformer(), tokens);
            ModelConfig config = lm.config();
            NormWeights norm = lm.transformer().weights().finalNorm();
            boolean rms = config.architecture().norm() == Architecture.Norm.RMS_NORM;
            double[] mean = new double[config.embd()];
            float[] last = null;
            for (int p = 0; p < tokens.length; p++) {
                float[] h = normed(trace.residual(config.layers() - 1, p), norm, config.normEps(), rms);
                for (int i = 0; i < h.length; i++) {
                    mean[i] += h[i] / tokens.length;
                }
                last = h;
            }
            assertClose(lm.embed(tokens, Embeddings.Pooling.MEAN), unit(mean));
            double[] lastD = new double[last.length];
            for (int i = 0; i < last.length; i++) {
                lastD[i] = last[i];
            }
            assertClose(lm.embed(tokens, Embeddings.Pooling.LAST), unit(lastD));
            assertThat(lm.embed("the cat sat on the mat", Embeddings.Pooling.MEAN)).containsExactly(lm.embed(tokens, Embeddings.Pooling.MEAN));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2"})
    void noTokensOrMoreThanTheContextAreRefused(String family) {
        try (LanguageModel lm = open(family)) {
            assertThatThrownBy(() -> lm.embed(new int[0], Embeddings.Pooling.MEAN)).isInstanceOf(JgptException.class).hasMessageContaining("no tokens");
            int[] tooLong = new int[lm.config().contextLength() + 1];
            assertThatThrownBy(() -> lm.embed(tooLong, Embeddings.Pooling.MEAN)).isInstanceOf(JgptException.class)
                    .hasMessageContaining("context window");
        }
    }

    /** LayerNorm (x - mean) / sqrt(var + eps) · γ + β, or RMSNorm x / sqrt(mean(x²) + eps) · γ, in doubles. */
    private static float[] normed(float[] x, NormWeights norm, float eps, boolean rms) {
        int n = x.length;
        double mean = 0;
        if (!rms) {
            for (float v : x) {
                mean += v;
            }
            mean /= n;
        }
        double square = 0;
        for (float v : x) {
            square += (v - mean) * (v - mean);
        }
        double scale = 1 / Math.sqrt(square / n + eps);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) ((x[i] - mean) * scale * norm.weight()[i] + (norm.bias() == null ? 0 : norm.bias()[i]));
        }
        return out;
    }

    private static double[] unit(double[] v) {
        double norm = 0;
        for (double x : v) {
            norm += x * x;
        }
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] / Math.sqrt(norm);
        }
        return out;
    }

    private static void assertClose(float[] actual, double[] expected) {
        assertThat(actual).hasSize(expected.length);
        double norm = 0;
        for (int i = 0; i < actual.length; i++) {
            assertThat((double) actual[i]).as("component %d", i).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-4));
            norm += (double) actual[i] * actual[i];
        }
        assertThat(norm).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
    }
}
