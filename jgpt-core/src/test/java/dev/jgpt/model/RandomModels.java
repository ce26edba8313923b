package dev.jgpt.model;

import dev.jgpt.tensor.DType;
import dev.jgpt.tensor.Tensor;
import dev.jgpt.tensor.WeightMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Models of any architecture with random F32 weights, in the [out, in] layout GGUF files use. */
public final class RandomModels {
    private final Arena arena = Arena.ofAuto();
    private final Random random;

    public RandomModels(long seed) {
        random = new Random(seed);
    }

    /** Weights for {@code config}; {@code fused} stores q, k and v in one matrix. */
    public ModelWeights weights(ModelConfig config, boolean fused) {
        Architecture a = config.architecture();
        int e = config.embd();
        int q = config.queryDim();
        int kv = config.kvDim();
        int hidden = config.mlpHidden();
        boolean others = a.otherBiases();
        List<LayerWeights> layers = new ArrayList<>();
        Architecture.Features f = a.features();
        for (int l = 0; l < config.layers(); l++) {
            NormWeights attentionNorm = f.norms().pre() ? norm(e, others) : null;
            Linear output = linear("attn_output", q, e, others);
            NormWeights mlpNorm = f.norms().pre() ? norm(e, others) : null;
            Linear gate = a.mlp().gated() ? linear("ffn_gate", e, hidden, others) : null;
            Linear up = linear("ffn_up", e, hidden, others);
            Linear down = linear("ffn_down", hidden, e, others);
            LayerWeights layer = fused
                    ? LayerWeights.fused(attentionNorm, linear("attn_qkv", e, q + 2 * kv, a.qkvBias()), output, mlpNorm, gate, up, down)
                    : LayerWeights.separate(attentionNorm, linear("attn_q", e, q, a.qkvBias()), linear("attn_k", e, kv, a.qkvBias()),
                            linear("attn_v", e, kv, a.qkvBias()), output, mlpNorm, gate, up, down);
            boolean whole = f.qkNorm() == Architecture.QkNorm.WHOLE;
            boolean qk = f.qkNorm() != Architecture.QkNorm.NONE;
            boolean post = f.norms().post();
            layers.add(layer.withNorms(qk ? norm(whole ? q : config.headSize(), false) : null,
                    qk ? norm(whole ? kv : config.headSize(), false) : null,
                    post ? norm(e, false) : null, post ? norm(e, false) : null));
        }
        Tensor embedding = tensor("token_embd", config.vocabSize(), e, 1);
        Tensor positions = a.learnedPositions() ? tensor("position_embd", config.contextLength(), e, 0.3) : null;
        Tensor unembedding = config.tiedOutput() ? embedding : tensor("output", config.vocabSize(), e, 0.5);
        return new ModelWeights(config, embedding, positions, layers, norm(e, others),
                unembedding.asMatrix(WeightMatrix.Layout.OUT_IN));
    }

    private Linear linear(String name, int in, int out, boolean bias) {
        WeightMatrix w = tensor(name, out, in, 1 / Math.sqrt(in)).asMatrix(WeightMatrix.Layout.OUT_IN);
        return new Linear(w, bias ? values(out, 0.2, 0) : null);
    }

    private NormWeights norm(int width, boolean bias) {
        return new NormWeights(values(width, 0.2, 1), bias ? values(width, 0.1, 0) : null);
    }

    private Tensor tensor(String name, int rows, int cols, double std) {
        MemorySegment data = arena.allocate((long) rows * cols * Float.BYTES, 64);
        for (long i = 0; i < (long) rows * cols; i++) {
            data.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, (float) (random.nextGaussian() * std));
        }
        return new Tensor(name, DType.F32, new long[] {rows, cols}, data);
    }

    private float[] values(int n, double std, double mean) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (mean + random.nextGaussian() * std);
        }
        return v;
    }
}
