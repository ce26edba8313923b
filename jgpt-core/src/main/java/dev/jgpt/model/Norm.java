package dev.jgpt.model;

import dev.jgpt.tensor.GradientKernels;
import dev.jgpt.tensor.Kernels;
import dev.jgpt.tensor.Parallel;
import dev.jgpt.tensor.VectorMath;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The norm of the architecture over rows of width E, forward and backward. LayerNorm:
 * {@code y = (x − mean) · rstd · γ + β}, {@code rstd = 1/√(var + eps)} with the biased variance.
 * RMSNorm: {@code y = x · rstd · γ}, {@code rstd = 1/√(mean(x²) + eps)}. With x̂ = (x − mean)·rstd
 * (mean 0 for RMSNorm), both have
 * {@code ∂loss/∂x = rstd · (dy·γ − mean(dy·γ) − x̂ · mean(dy·γ·x̂))}, without the middle term for RMSNorm.
 */
final class Norm {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();

    private final boolean rms;
    private final int d;
    private final float eps;

    Norm(ModelConfig config) {
        this.rms = config.architecture().norm() == Architecture.Norm.RMS_NORM;
        this.d = config.embd();
        this.eps = config.normEps();
    }

    /** out [m × E] = the norm of each row of x [m × E] ({@code out} may be {@code x}). */
    void forward(NormWeights w, float[] x, int m, float[] out) {
        if (rms) {
            Kernels.rmsNorm(x, m, d, w.weight(), eps, out);
        } else {
            Kernels.layerNorm(x, m, d, w.weight(), w.bias(), eps, out);
        }
    }

    /**
     * dy, x, dx: [m × E]: {@code dx += ∂loss/∂x}; {@code grads} at the gain's slot {@code += Σ_rows dy·x̂},
     * at the bias's {@code += Σ_rows dy} (each unless frozen). mean, rstd: [m] scratch, filled with
     * the forward's row statistics, recomputed by the same code (two passes over x cost less than keeping them).
     */
    void backward(NormWeights w, float[] dy, float[] x, int m, float[] dx, float[] grads, Gradients.NormSlots slots,
                  float[] mean, float[] rstd) {
        float[] gamma = w.weight();
        float centre = rms ? 0f : 1f;
        Parallel.forRange(m, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int off = r * d;
                mean[r] = rms ? 0f : Kernels.rowMean(x, off, d);
                rstd[r] = rms ? Kernels.rowRms(x, off, d, eps) : Kernels.rowRstd(x, off, d, mean[r], eps);
                inputGradientRow(dy, x, mean[r], rstd[r], gamma, off, d, centre, dx);
            }
        });
        if (slots.bias() != Gradients.FROZEN) {
            GradientKernels.biasGradient(dy, 0, m, d, grads, slots.bias());
        }
        if (slots.weight() != Gradients.FROZEN) {
            int blocks = (d + 4 * L - 1) / (4 * L);
            Parallel.forRange(blocks, (b0, b1) -> {
                for (int block = b0; block < b1; block++) {
                    gammaGradientColumns(dy, x, mean, rstd, m, d, block * 4 * L, grads, slots.weight());
                }
            });
        }
    }

    /**
     * {@code dx[off, off+d) += rs · (dy·γ − centre·mean(dy·γ) − x̂ · mean(dy·γ·x̂))}, x̂ = (x − mu)·rs;
     * centre is 1 for LayerNorm, 0 for RMSNorm (whose mu is 0: nothing is subtracted).
     */
    private static void inputGradientRow(float[] dy, float[] x, float mu, float rs, float[] gamma, int off, int d, float centre,
                                         float[] dx) {
        FloatVector muV = FloatVector.broadcast(F, mu);
        FloatVector rsV = FloatVector.broadcast(F, rs);
        FloatVector s1 = FloatVector.zero(F);
        FloatVector s2 = FloatVector.zero(F);
        int i = 0;
        for (; i <= d - L; i += L) {
            FloatVector g = FloatVector.fromArray(F, dy, off + i).mul(FloatVector.fromArray(F, gamma, i));
            FloatVector xhat = FloatVector.fromArray(F, x, off + i).sub(muV).mul(rsV);
            s1 = s1.add(g);
            s2 = g.fma(xhat, s2);
        }
        float sum1 = VectorMath.sum(s1);
        float sum2 = VectorMath.sum(s2);
        for (; i < d; i++) {
            float g = dy[off + i] * gamma[i];
            sum1 += g;
            sum2 += g * (x[off + i] - mu) * rs;
        }
        float mean1 = centre * sum1 / d;
        float mean2 = sum2 / d;
        FloatVector m1 = FloatVector.broadcast(F, mean1);
        FloatVector m2 = FloatVector.broadcast(F, mean2);
        i = 0;
        for (; i <= d - L; i += L) {
            FloatVector g = FloatVector.fromArray(F, dy, off + i).mul(FloatVector.fromArray(F, gamma, i));
            FloatVector xhat = FloatVector.fromArray(F, x, off + i).sub(muV).mul(rsV);
            g.sub(m1).sub(xhat.mul(m2)).fma(rsV, FloatVector.fromArray(F, dx, off + i)).intoArray(dx, off + i);
        }
        for (; i < d; i++) {
            float g = dy[off + i] * gamma[i];
            float xhat = (x[off + i] - mu) * rs;
            dx[off + i] += rs * (g - mean1 - xhat * mean2);
        }
    }

    /** grads[dGamma + j] += Σ_r dy[r, j] · x̂[r, j] for the (up to) four vectors of columns from j0. */
    private static void gammaGradientColumns(float[] dy, float[] x, float[] mean, float[] rstd, int m, int d, int j0,
                                             float[] grads, int dGamma) {
        VectorMask<Float> m0 = F.indexInRange(j0, d);
        VectorMask<Float> m1 = F.indexInRange(j0 + L, d);
        VectorMask<Float> m2 = F.indexInRange(j0 + 2 * L, d);
        VectorMask<Float> m3 = F.indexInRange(j0 + 3 * L, d);
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int r = 0; r < m; r++) {
            FloatVector mu = FloatVector.broadcast(F, mean[r]);
            FloatVector rs = FloatVector.broadcast(F, rstd[r]);
            int at = r * d + j0;
            a0 = product(dy, x, at, m0, mu, rs, a0);
            a1 = product(dy, x, at + L, m1, mu, rs, a1);
            a2 = product(dy, x, at + 2 * L, m2, mu, rs, a2);
            a3 = product(dy, x, at + 3 * L, m3, mu, rs, a3);
        }
        addInto(grads, dGamma + j0, m0, a0);
        addInto(grads, dGamma + j0 + L, m1, a1);
        addInto(grads, dGamma + j0 + 2 * L, m2, a2);
        addInto(grads, dGamma + j0 + 3 * L, m3, a3);
    }

    /** acc + dy[at..] · (x[at..] − mu) · rs over the lanes of {@code mask}. */
    private static FloatVector product(float[] dy, float[] x, int at, VectorMask<Float> mask,
                                       FloatVector mu, FloatVector rs, FloatVector acc) {
        if (mask.allTrue()) {
            FloatVector xhat = FloatVector.fromArray(F, x, at).sub(mu).mul(rs);
            return FloatVector.fromArray(F, dy, at).fma(xhat, acc);
        }
        if (!mask.anyTrue()) {
            return acc;
        }
        FloatVector xhat = FloatVector.fromArray(F, x, at, mask).sub(mu).mul(rs);
        return FloatVector.fromArray(F, dy, at, mask).fma(xhat, acc);
    }

    private static void addInto(float[] a, int at, VectorMask<Float> mask, FloatVector v) {
        if (mask.anyTrue()) {
            v.add(FloatVector.fromArray(F, a, at, mask)).intoArray(a, at, mask);
        }
    }
}
