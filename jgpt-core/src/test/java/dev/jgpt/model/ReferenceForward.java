package dev.jgpt.model;

import dev.jgpt.tensor.Tensor;
import dev.jgpt.tensor.WeightMatrix;

/**
 * A plain double-precision forward pass written from the textbook definitions, one position at
 * a time, no cache, no SIMD: what {@link Transformer} is checked against on random models.
 */
public final class ReferenceForward {
    private final ModelWeights w;
    private final ModelConfig c;
    private final Architecture a;

    public ReferenceForward(ModelWeights weights) {
        this.w = weights;
        this.c = weights.config();
        this.a = c.architecture();
    }

    /** logits[t] after tokens[0..t], for every t. */
    public double[][] logits(int[] tokens) {
        int n = tokens.length;
        int e = c.embd();
        double[][] x = new double[n][];
        for (int t = 0; t < n; t++) {
            x[t] = row(w.tokenEmbedding(), tokens[t], e);
            if (a.learnedPositions()) {
                double[] p = row(w.positionEmbedding(), t, e);
                for (int i = 0; i < e; i++) {
                    x[t][i] += p[i];
                }
            }
        }
        for (LayerWeights layer : w.layers()) {
            double[][] q = new double[n][];
            double[][] k = new double[n][];
            double[][] v = new double[n][];
            for (int t = 0; t < n; t++) {
                double[] h = norm(x[t], layer.attentionNorm());
                if (layer.qkv() != null) {
                    double[] all = apply(layer.qkv(), h);
                    q[t] = slice(all, 0, c.queryDim());
                    k[t] = slice(all, c.queryDim(), c.kvDim());
                    v[t] = slice(all, c.queryDim() + c.kvDim(), c.kvDim());
                } else {
                    q[t] = apply(layer.query(), h);
                    k[t] = apply(layer.key(), h);
                    v[t] = apply(layer.value(), h);
                }
                rotate(q[t], c.heads(), t);
                rotate(k[t], c.kvHeads(), t);
            }
            for (int t = 0; t < n; t++) {
                double[] attended = attend(q, k, v, t);
                add(x[t], apply(layer.attentionOutput(), attended));
                double[] h = norm(x[t], layer.mlpNorm());
                double[] up = apply(layer.mlpUp(), h);
                if (layer.mlpGate() != null) {
                    double[] gate = apply(layer.mlpGate(), h);
                    for (int i = 0; i < up.length; i++) {
                        up[i] *= gate[i] / (1 + Math.exp(-gate[i]));
                    }
                } else {
                    for (int i = 0; i < up.length; i++) {
                        double u = up[i];
                        up[i] = 0.5 * u * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (u + 0.044715 * u * u * u)));
                    }
                }
                add(x[t], apply(layer.mlpDown(), up));
            }
        }
        double[][] logits = new double[n][];
        for (int t = 0; t < n; t++) {
            logits[t] = apply(w.unembedding(), null, norm(x[t], w.finalNorm()));
        }
        return logits;
    }

    /** Causal attention of position t: each query head reads key/value head head·kvHeads/heads. */
    private double[] attend(double[][] q, double[][] k, double[][] v, int t) {
        int d = c.headSize();
        double[] out = new double[c.queryDim()];
        for (int head = 0; head < c.heads(); head++) {
            int kvHead = head / (c.heads() / c.kvHeads());
            double[] scores = new double[t + 1];
            double max = Double.NEGATIVE_INFINITY;
            for (int s = 0; s <= t; s++) {
                for (int i = 0; i < d; i++) {
                    scores[s] += q[t][head * d + i] * k[s][kvHead * d + i];
                }
                scores[s] /= Math.sqrt(d);
                max = Math.max(max, scores[s]);
            }
            double sum = 0;
            for (int s = 0; s <= t; s++) {
                scores[s] = Math.exp(scores[s] - max);
                sum += scores[s];
            }
            for (int s = 0; s <= t; s++) {
                for (int i = 0; i < d; i++) {
                    out[head * d + i] += scores[s] / sum * v[s][kvHead * d + i];
                }
            }
        }
        return out;
    }

    /**
     * Rotary embedding at position t: pair i turns by t·θᵢ, θᵢ = base^(−2i/dims) / (scale · fᵢ).
     * NORM pairs (2i, 2i+1) as complex numbers; NEOX as x·cos + rotate_half(x)·sin.
     */
    private void rotate(double[] x, int heads, int t) {
        Rope rope = a.rope();
        if (rope == null) {
            return;
        }
        int pairs = rope.dimensions() / 2;
        float[] factors = rope.frequencyFactors();
        for (int head = 0; head < heads; head++) {
            int off = head * c.headSize();
            double[] rotated = new double[2 * pairs];
            for (int j = 0; j < 2 * pairs; j++) {
                int pair = rope.style() == Rope.Style.NORM ? j / 2 : j % pairs;
                double theta = Math.pow(rope.base(), -2.0 * pair / rope.dimensions()) / rope.linearScale()
                        / (factors == null ? 1 : factors[pair]);
                double angle = t * theta;
                double partner;
                if (rope.style() == Rope.Style.NORM) {
                    partner = j % 2 == 0 ? -x[off + j + 1] : x[off + j - 1];
                } else {
                    partner = j < pairs ? -x[off + j + pairs] : x[off + j - pairs];
                }
                rotated[j] = x[off + j] * Math.cos(angle) + partner * Math.sin(angle);
            }
            System.arraycopy(rotated, 0, x, off, 2 * pairs);
        }
    }

    private double[] norm(double[] x, NormWeights n) {
        int e = x.length;
        double mean = 0;
        if (a.norm() == Architecture.Norm.LAYER_NORM) {
            for (double value : x) {
                mean += value / e;
            }
        }
        double squares = 0;
        for (double value : x) {
            squares += (value - mean) * (value - mean);
        }
        double inv = 1 / Math.sqrt(squares / e + c.normEps());
        double[] out = new double[e];
        for (int i = 0; i < e; i++) {
            out[i] = (x[i] - mean) * inv * n.weight()[i] + (n.bias() == null ? 0 : n.bias()[i]);
        }
        return out;
    }

    private static double[] apply(Linear linear, double[] x) {
        return apply(linear.weight(), linear.bias(), x);
    }

    private static double[] apply(WeightMatrix m, float[] bias, double[] x) {
        double[] y = new double[m.out()];
        for (int o = 0; o < m.out(); o++) {
            double s = bias == null ? 0 : bias[o];
            for (int i = 0; i < m.in(); i++) {
                s += x[i] * m.get(i, o);
            }
            y[o] = s;
        }
        return y;
    }

    private static double[] row(Tensor t, int row, int width) {
        double[] out = new double[width];
        for (int i = 0; i < width; i++) {
            out[i] = t.dtype().read(t.data(), (long) row * width + i);
        }
        return out;
    }

    private static double[] slice(double[] x, int from, int length) {
        double[] out = new double[length];
        System.arraycopy(x, from, out, 0, length);
        return out;
    }

    private static void add(double[] acc, double[] x) {
        for (int i = 0; i < acc.length; i++) {
            acc[i] += x[i];
        }
    }
}
