package dev.jgpt.model;

/** Plain-Java, double-precision twins of the training layers' vector kernels, for tests only. */
final class ScalarLayers {
    private ScalarLayers() {}

    static void layerNormForward(float[] x, int m, int d, float[] gamma, float[] beta, float eps, float[] y, float[] mean, float[] rstd) {
        for (int r = 0; r < m; r++) {
            double mu = 0;
            for (int i = 0; i < d; i++) {
                mu += x[r * d + i];
            }
            mu /= d;
            double var = 0;
            for (int i = 0; i < d; i++) {
                var += (x[r * d + i] - mu) * (x[r * d + i] - mu);
            }
            double rs = 1 / Math.sqrt(var / d + eps);
            mean[r] = (float) mu;
            rstd[r] = (float) rs;
            for (int i = 0; i < d; i++) {
                y[r * d + i] = (float) ((x[r * d + i] - mu) * rs * gamma[i] + beta[i]);
            }
        }
    }

    static void layerNormBackward(float[] dy, float[] x, float[] mean, float[] rstd, float[] gamma, int m, int d,
                                  float[] dx, float[] grads, int dGamma, int dBeta) {
        for (int r = 0; r < m; r++) {
            double sum1 = 0;
            double sum2 = 0;
            for (int i = 0; i < d; i++) {
                double g = dy[r * d + i] * gamma[i];
                double xhat = (x[r * d + i] - mean[r]) * rstd[r];
                sum1 += g;
                sum2 += g * xhat;
                grads[dGamma + i] += (float) (dy[r * d + i] * xhat);
                grads[dBeta + i] += dy[r * d + i];
            }
            for (int i = 0; i < d; i++) {
                double g = dy[r * d + i] * gamma[i];
                double xhat = (x[r * d + i] - mean[r]) * rstd[r];
                dx[r * d + i] += (float) (rstd[r] * (g - sum1 / d - xhat * sum2 / d));
            }
        }
    }

    static double gelu(double x) {
        return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
    }

    static double geluSlope(double x) {
        double c = Math.sqrt(2 / Math.PI);
        double t = Math.tanh(c * (x + 0.044715 * x * x * x));
        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x);
    }

    static void attentionForward(float[] qkv, int batch, int seq, int heads, int e, float[] probs, float[] out) {
        int d = e / heads;
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < heads; h++) {
                int base = (b * heads + h) * seq * seq;
                for (int t = 0; t < seq; t++) {
                    double[] s = new double[t + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int u = 0; u <= t; u++) {
                        double dot = 0;
                        for (int i = 0; i < d; i++) {
                            dot += (double) q(qkv, b, t, h, i, seq, e, d, 0) * q(qkv, b, u, h, i, seq, e, d, 1);
                        }
                        s[u] = dot / Math.sqrt(d);
                        max = Math.max(max, s[u]);
                    }
                    double sum = 0;
                    for (int u = 0; u <= t; u++) {
                        s[u] = Math.exp(s[u] - max);
                        sum += s[u];
                    }
                    for (int u = 0; u < seq; u++) {
                        probs[base + t * seq + u] = u <= t ? (float) (s[u] / sum) : 0f;
                    }
                    for (int i = 0; i < d; i++) {
                        double o = 0;
                        for (int u = 0; u <= t; u++) {
                            o += s[u] / sum * q(qkv, b, u, h, i, seq, e, d, 2);
                        }
                        out[(b * seq + t) * e + h * d + i] = (float) o;
                    }
                }
            }
        }
    }

    static void attentionBackward(float[] dout, float[] qkv, float[] probs, int batch, int seq, int heads, int e, float[] dqkv) {
        int d = e / heads;
        double scale = 1 / Math.sqrt(d);
        java.util.Arrays.fill(dqkv, 0, batch * seq * 3 * e, 0f);
        double[] acc = new double[batch * seq * 3 * e];
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < heads; h++) {
                int base = (b * heads + h) * seq * seq;
                for (int t = 0; t < seq; t++) {
                    double[] dp = new double[t + 1];
                    double dot = 0;
                    for (int u = 0; u <= t; u++) {
                        for (int i = 0; i < d; i++) {
                            dp[u] += (double) dout[(b * seq + t) * e + h * d + i] * q(qkv, b, u, h, i, seq, e, d, 2);
                        }
                        dot += probs[base + t * seq + u] * dp[u];
                    }
                    for (int u = 0; u <= t; u++) {
                        double p = probs[base + t * seq + u];
                        double ds = p * (dp[u] - dot) * scale;
                        for (int i = 0; i < d; i++) {
                            acc[index(b, t, h, i, seq, e, d, 0)] += ds * q(qkv, b, u, h, i, seq, e, d, 1);
                            acc[index(b, u, h, i, seq, e, d, 1)] += ds * q(qkv, b, t, h, i, seq, e, d, 0);
                            acc[index(b, u, h, i, seq, e, d, 2)] += p * dout[(b * seq + t) * e + h * d + i];
                        }
                    }
                }
            }
        }
        for (int i = 0; i < acc.length; i++) {
            dqkv[i] = (float) acc[i];
        }
    }

    /** Element i of head h of part (0 = q, 1 = k, 2 = v) at row (b, t). */
    private static float q(float[] qkv, int b, int t, int h, int i, int seq, int e, int d, int part) {
        return qkv[index(b, t, h, i, seq, e, d, part)];
    }

    private static int index(int b, int t, int h, int i, int seq, int e, int d, int part) {
        return (b * seq + t) * 3 * e + part * e + h * d + i;
    }
}
