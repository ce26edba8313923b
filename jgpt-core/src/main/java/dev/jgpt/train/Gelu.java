package dev.jgpt.train;

import dev.jgpt.tensor.Parallel;
import dev.jgpt.tensor.VectorMath;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * GELU, tanh approximation: {@code gelu(x) = 0.5·x·(1 + tanh(u)) = x·σ(2u)},
 * {@code u = √(2/π)·(x + 0.044715·x³)}; the σ form needs one exp and has no {@code 1 + tanh}
 * cancellation at the negative tail.
 */
final class Gelu {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final float C = (float) Math.sqrt(2.0 / Math.PI);
    private static final float K = 0.044715f;
    private static final int CHUNK = 1 << 14;
    private static final float EXP_LIMIT = 80f;

    private Gelu() {}

    /**
     * x, y, ex: [n]; {@code y = gelu(x) = x / (1 + e^(−2u))}, and {@code ex = e^(−2u)} (the
     * exponent capped at 80 so it stays finite) kept for the backward.
     */
    static void forward(float[] x, float[] y, float[] ex, int n) {
        forChunks(n, (i0, i1) -> {
            FloatVector one = FloatVector.broadcast(F, 1f);
            int i = i0;
            for (; i <= i1 - L; i += L) {
                FloatVector v = FloatVector.fromArray(F, x, i);
                FloatVector minus2u = v.mul(v).fma(K, 1f).mul(v).mul(-2f * C);
                FloatVector e = VectorMath.exp(minus2u.min(EXP_LIMIT));
                e.intoArray(ex, i);
                v.div(e.add(one)).intoArray(y, i);
            }
            for (; i < i1; i++) {
                float v = x[i];
                float e = (float) Math.exp(Math.min(-2f * C * (v + K * v * v * v), EXP_LIMIT));
                ex[i] = e;
                y[i] = v / (1f + e);
            }
        });
    }

    /**
     * x, ex: [n] from the forward; dy: [n], {@code dy *= gelu'(x)} in place, where with
     * {@code s = σ(2u) = 1 / (1 + ex)}:
     * {@code gelu'(x) = s + 2·x·s·(1 − s)·√(2/π)·(1 + 3·0.044715·x²)}; {@code 1 − s} is taken as
     * {@code ex·s}, exact where s rounds to 1.
     */
    static void backward(float[] x, float[] ex, float[] dy, int n) {
        forChunks(n, (i0, i1) -> {
            FloatVector one = FloatVector.broadcast(F, 1f);
            int i = i0;
            for (; i <= i1 - L; i += L) {
                FloatVector v = FloatVector.fromArray(F, x, i);
                FloatVector e = FloatVector.fromArray(F, ex, i);
                FloatVector s = one.div(e.add(one));
                FloatVector du = v.mul(v).fma(3f * K, 1f).mul(2f * C);
                FloatVector slope = v.mul(s).mul(e.mul(s)).fma(du, s);
                FloatVector.fromArray(F, dy, i).mul(slope).intoArray(dy, i);
            }
            for (; i < i1; i++) {
                float v = x[i];
                float s = 1f / (1f + ex[i]);
                float du = 2f * C * (1f + 3f * K * v * v);
                dy[i] *= v * s * (ex[i] * s) * du + s;
            }
        });
    }

    /** Splits [0, n) into chunks of a multiple of the vector length, across the pool. */
    private static void forChunks(int n, Parallel.RangeTask body) {
        int chunks = (n + CHUNK - 1) / CHUNK;
        Parallel.forRange(chunks, (c0, c1) -> body.run(c0 * CHUNK, Math.min(n, c1 * CHUNK)));
    }
}
