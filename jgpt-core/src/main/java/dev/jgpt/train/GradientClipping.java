package dev.jgpt.train;

import dev.jgpt.tensor.Parallel;
import dev.jgpt.tensor.VectorMath;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Clipping of the gradients by their global L2 norm, as {@code torch.nn.utils.clip_grad_norm_}. */
public final class GradientClipping {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final int CHUNK = 1 << 16;
    private static final int BLOCK = 16 * L;

    private GradientClipping() {}

    /**
     * Scales {@code gradients} by {@code maxNorm / (norm + 1e-6)} when that is below 1, and returns
     * the norm before clipping; {@code maxNorm = 0} only measures.
     */
    public static float clip(float[] gradients, float maxNorm) {
        double norm = norm(gradients);
        if (maxNorm > 0) {
            double factor = maxNorm / (norm + 1e-6);
            if (factor < 1) {
                scale(gradients, (float) factor);
            }
        }
        return (float) norm;
    }

    /**
     * √(Σ g²): float lanes over blocks of {@link #BLOCK} elements (few terms each, so no drift),
     * the blocks summed in double, chunk by chunk in a fixed order (thread-count independent).
     */
    public static double norm(float[] g) {
        int chunks = (g.length + CHUNK - 1) / CHUNK;
        double[] partial = new double[chunks];
        Parallel.forRange(chunks, (c0, c1) -> {
            for (int c = c0; c < c1; c++) {
                int end = Math.min(g.length, (c + 1) * CHUNK);
                double sum = 0;
                int i = c * CHUNK;
                while (i <= end - L) {
                    FloatVector acc = FloatVector.zero(F);
                    for (int blockEnd = Math.min(end, i + BLOCK); i <= blockEnd - L; i += L) {
                        FloatVector v = FloatVector.fromArray(F, g, i);
                        acc = v.fma(v, acc);
                    }
                    sum += VectorMath.sum(acc);
                }
                for (; i < end; i++) {
                    sum += (double) g[i] * g[i];
                }
                partial[c] = sum;
            }
        });
        double total = 0;
        for (double p : partial) {
            total += p;
        }
        return Math.sqrt(total);
    }

    private static void scale(float[] g, float factor) {
        int chunks = (g.length + CHUNK - 1) / CHUNK;
        Parallel.forRange(chunks, (c0, c1) -> {
            int end = Math.min(g.length, c1 * CHUNK);
            int i = c0 * CHUNK;
            for (; i <= end - L; i += L) {
                FloatVector.fromArray(F, g, i).mul(factor).intoArray(g, i);
            }
            for (; i < end; i++) {
                g[i] *= factor;
            }
        });
    }
}
