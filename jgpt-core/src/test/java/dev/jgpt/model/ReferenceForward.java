package dev.jgpt.model;

import dev.jgpt.tensor.Tensor;
import dev.jgpt.tensor.WeightMatrix;

/**
 * A plain double-precision forward pass written from the textbook definitions, one position at
 * a time, no cache, no SIMD: what {@link Transformer} is checked against on random models. It
 * follows the architecture's features as the families' published descriptions state them
 * (norms after the branches, q/k norms, GeGLU, multipliers, soft-caps, sliding windows, a local
 * rotary base); contexts stay short, so LongRoPE's long factors never apply.
 */
public final class ReferenceForward {
    private final ModelWeights w;
    private final ModelConfig c;
    private final Architecture a;
    private final Architecture.Features f;

    public ReferenceForward(ModelWeights weights) {
        this.w = weights;
        this.c = weights.config();
        this.a = c.architecture();
        this.f = a.features();
    }

    /** logits[t] after tokens[0..t], for every t. */
    public double[][] logits(int[] tokens) {
        int n = tokens.length;
        int e = c.embd();
        double[][] x = new double[n][];
        for (int t = 0; t < n; t++) {
            x[t] = row(w.tokenEmbedding(), tokens[t], e);
            for (int i = 0; i < e; i++) {
                x[t][i] *= f.embeddingScale();
            }
            if (a.learnedPositions()) {
                double[] p = row(w.positionEmbedding(), t, e);
                for (int i = 0; i < e; i++) {
                    x[t][i] += p[i];
                }
            }
        }
        for (int l = 0; l < c.layers(); l++) {
            LayerWeights layer = w.layers().get(l);
            boolean windowed = f.window() != null && f.window().windowed(l);
            Rope rope = windowed && f.localRope() != null ? f.localRope() : a.rope();
            double[][] q = new double[n][];
            double[][] k = new double[n][];
            double[][] v = new double[n][];
            for (int t = 0; t < n; t++) {
                double[] h = layer.attentionNorm() == null ? x[t] : norm(x[t], layer.attentionNorm());
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
                if (layer.queryNorm() != null) {
                    q[t] = qkNorm(q[t], layer.queryNorm());
                    k[t] = qkNorm(k[t], layer.keyNorm());
                }
                rotate(rope, q[t], c.heads(), t);
                rotate(rope, k[t], c.kvHeads(), t);
            }
            for (int t = 0; t < n; t++) {
                double[] attended = attend(q, k, v, t, windowed ? f.window().size() : Integer.MAX_VALUE);
                addBranch(x[t], apply(layer.attentionOutput(), attended), layer.postAttentionNorm());
                double[] h = layer.mlpNorm() == null ? x[t] : norm(x[t], layer.mlpNorm());
                double[] up = apply(layer.mlpUp(), h);
                if (layer.mlpGate() != null) {
                    double[] gate = apply(layer.mlpGate(), h);
                    for (int i = 0; i < up.length; i++) {
                        up[i] *= a.mlp() == Architecture.Mlp.GEGLU ? gelu(gate[i]) : gate[i] / (1 + Math.exp(-gate[i]));
                    }
                } else {
                    for (int i = 0; i < up.length; i++) {
                        up[i] = gelu(up[i]);
                    }
                }
                addBranch(x[t], apply(layer.mlpDown(), up), layer.postMlpNorm());
            }
        }
        double[][] logits = new double[n][];
        for (int t = 0; t < n; t++) {
            logits[t] = apply(w.unembedding(), null, norm(x[t], w.finalNorm()));
            for (int i = 0; i < logits[t].length; i++) {
                logits[t][i] = softCap(logits[t][i] * f.logitScale(), f.finalSoftCap());
            }
        }
        return logits;
    }

    private static double gelu(double u) {
        return 0.5 * u * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (u + 0.044715 * u * u * u)));
    }

    /** cap·tanh(s/cap), or s when cap is 0. */
    private static double softCap(double s, double cap) {
        return cap == 0 ? s : cap * Math.tanh(s / cap);
    }

    /** x += residualScale · branch, the branch normed first when the block has a post-norm. */
    private void addBranch(double[] x, double[] branch, NormWeights postNorm) {
        double[] b = postNorm == null ? branch : norm(branch, postNorm);
        for (int i = 0; i < x.length; i++) {
            x[i] += f.residualScale() * b[i];
        }
    }

    /** RMSNorm of the whole vector, or of each head-wide piece when the gain is one head wide. */
    private double[] qkNorm(double[] x, NormWeights gain) {
        int width = gain.weight().length;
        double[] out = new double[x.length];
        for (int from = 0; from < x.length; from += width) {
            double squares = 0;
            for (int i = 0; i < width; i++) {
                squares += x[from + i] * x[from + i];
            }
            double inv = 1 / Math.sqrt(squares / width + c.normEps());
            for (int i = 0; i < width; i++) {
                out[from + i] = x[from + i] * inv * gain.weight()[i];
            }
        }
        return out;
    }

    /**
     * Causal attention of position t over the last {@code window} positions: each query head reads
     * key/value head head·kvHeads/heads.
     */
    private double[] attend(double[][] q, double[][] k, double[][] v, int t, int window) {
        int d = c.headSize();
        double[] out = new double[c.queryDim()];
        for (int head = 0; head < c.heads(); head++) {
            int kvHead = head / (c.heads() / c.kvHeads());
            double[] scores = new double[t + 1];
            double max = Double.NEGATIVE_INFINITY;
            int first = Math.max(0, t - window + 1);
            double scale = f.attentionScale() != 0 ? f.attentionScale() : 1 / Math.sqrt(d);
            for (int s = first; s <= t; s++) {
                for (int i = 0; i < d; i++) {
                    scores[s] += q[t][head * d + i] * k[s][kvHead * d + i];
                }
                scores[s] = softCap(scores[s] * scale, f.attentionSoftCap());
                max = Math.max(max, scores[s]);
            }
            double sum = 0;
            for (int s = first; s <= t; s++) {
                scores[s] = Math.exp(scores[s] - max);
                sum += scores[s];
            }
            for (int s = first; s <= t; s++) {
                for (int i = 0; i < d; i++) {
                    out[head * d + i] += scores[s] / sum * v[s][kvHead * d + i];
                }
            }
        }
        return out;
    }

    /**
     * Rotary embedding at position t: pair i turns by t·θᵢ, θᵢ = base^(−2i/dims) / (scale · fᵢ).
     * NORM pairs (2i, 2i+1) as complex numbers; NEOX as x·cos + rotate_half(x)·sin; both times the
     * rope's magnitude.
     */
    private void rotate(Rope rope, double[] x, int heads, int t) {
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
                rotated[j] = rope.magnitude() * (x[off + j] * Math.cos(angle) + partner * Math.sin(angle));
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
