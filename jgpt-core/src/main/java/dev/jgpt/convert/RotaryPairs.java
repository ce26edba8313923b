package dev.jgpt.convert;

import dev.jgpt.model.Architecture;
import dev.jgpt.model.LayerWeights;
import dev.jgpt.model.Linear;
import dev.jgpt.model.ModelConfig;
import dev.jgpt.model.ModelWeights;
import dev.jgpt.model.Rope;
import dev.jgpt.tensor.DType;
import dev.jgpt.tensor.WeightMatrix;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * A Llama whose queries and keys rotate by halves (Hugging Face's layout) rewritten to rotate
 * adjacent pairs (llama.cpp's {@code llama} layout), the same function: within each head, the
 * query and key projections' output rows are reordered so that value i and its partner i + d/2
 * become values 2i and 2i + 1. Attention scores are dot products over a head's values, which do
 * not depend on their order; the values and the output projection are left as they are.
 */
final class RotaryPairs {
    private RotaryPairs() {}

    /** {@code w} with rotation by adjacent pairs; {@code w} itself when it already rotates them. */
    static ModelWeights adjacent(ModelWeights w) {
        ModelConfig c = w.config();
        Rope rope = c.architecture().rope();
        if (rope == null || rope.style() == Rope.Style.NORM) {
            return w;
        }
        Rope pairs = new Rope(Rope.Style.NORM, rope.dimensions(), rope.base(), rope.linearScale(), rope.frequencyFactors());
        Architecture a = c.architecture();
        ModelConfig config = new ModelConfig(new Architecture(a.name(), a.norm(), a.mlp(), a.biases(), pairs), c.layers(),
                c.heads(), c.kvHeads(), c.embd(), c.mlpHidden(), c.contextLength(), c.vocabSize(), c.normEps(), c.tiedOutput());
        List<LayerWeights> layers = new ArrayList<>();
        for (LayerWeights l : w.layers()) {
            layers.add(LayerWeights.separate(l.attentionNorm(), reorder(l.query(), c, rope), reorder(l.key(), c, rope),
                    l.value(), l.attentionOutput(), l.mlpNorm(), l.mlpGate(), l.mlpUp(), l.mlpDown()));
        }
        return new ModelWeights(config, w.tokenEmbedding(), null, layers, w.finalNorm(), w.unembedding());
    }

    /** The rows (and bias) of a [heads·D, in] projection, reordered head by head, as F32. */
    private static Linear reorder(Linear linear, ModelConfig c, Rope rope) {
        WeightMatrix m = linear.weight();
        int d = c.headSize();
        int in = m.in();
        float[] values = new float[m.out() * in];
        float[] bias = linear.bias() == null ? null : new float[m.out()];
        for (int row = 0; row < m.out(); row++) {
            int source = row - row % d + sourceIndex(row % d, rope.pairs());
            for (int i = 0; i < in; i++) {
                values[row * in + i] = m.get(i, source);
            }
            if (bias != null) {
                bias[row] = linear.bias()[source];
            }
        }
        return new Linear(new WeightMatrix(m.name(), MemorySegment.ofArray(values), DType.F32, in, m.out(),
                WeightMatrix.Layout.OUT_IN), bias);
    }

    /** Where value j of a head in adjacent-pair order comes from in halves order. */
    private static int sourceIndex(int j, int pairs) {
        if (j >= 2 * pairs) {
            return j;
        }
        return j % 2 == 0 ? j / 2 : j / 2 + pairs;
    }
}
