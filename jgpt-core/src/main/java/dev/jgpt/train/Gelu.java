package dev.jgpt.train;

import dev.jgpt.tensor.Parallel;
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

    /** x, y: [n]; {@code y = gelu(x)}. */
    static void forward(float[] x, float[] y, int n) {
        forChunks(n, (i0, i1) -> {
            FloatVector one = FloatVector.broadcast(F, 1f);
            int i = i0;
            for (; i <= i1 - L; i += L) {
                FloatVector v = FloatVector.fromArray(F, x, i);
                FloatVector minus2u = v.mul(v).fma(K, 1f).mul(v).mul(-2f * C);
                v.div(minus2u.lanewise(VectorOperators.EXP).add(one)).intoArray(y, i);
            }
            for (; i < i1; i++) {
                float v = x[i];
                y[i] = v / (1f + (float) Math.exp(-2f * C * (v + K * v * v * v)));
            }
        });
    }

    /**
     * x, dy: [n]; {@code dy *= gelu'(x)} in place, where with {@code s = σ(2u)}:
     * {@code gelu'(x) = s + 2·x·s·(1 − s)·√(2/π)·(1 + 3·0.044715·x²)}; {@code 1 − s} is taken as
     * {@code e^(−2u)·s}, exact where s rounds to 1, with the exponent capped so it stays finite.
     */
    static void backward(float[] x, float[] dy, int n) {
        forChunks(n, (i0, i1) -> {
            FloatVector one = FloatVector.broadcast(F, 1f);
            int i = i0;
            for (; i <= i1 - L; i += L) {
                FloatVector v = FloatVector.fromArray(F, x, i);
                FloatVector v2 = v.mul(v);
                FloatVector minus2u = v2.fma(K, 1f).mul(v).mul(-2f * C);
                FloatVector ex = minus2u.min(EXP_LIMIT).lanewise(VectorOperators.EXP);
                FloatVector s = one.div(ex.add(one));
                FloatVector du = v2.fma(3f * K, 1f).mul(2f * C);
                FloatVector slope = v.mul(s).mul(ex.mul(s)).fma(du, s);
                FloatVector.fromArray(F, dy, i).mul(slope).intoArray(dy, i);
            }
            for (; i < i1; i++) {
                float v = x[i];
                float ex = (float) Math.exp(Math.min(-2f * C * (v + K * v * v * v), EXP_LIMIT));
                float s = 1f / (1f + ex);
                float du = 2f * C * (1f + 3f * K * v * v);
                dy[i] *= v * s * (ex * s) * du + s;
            }
        });
    }

    /** Splits [0, n) into chunks of a multiple of the vector length, across the pool. */
    private static void forChunks(int n, Parallel.RangeTask body) {
        int chunks = (n + CHUNK - 1) / CHUNK;
        Parallel.forRange(chunks, (c0, c1) -> body.run(c0 * CHUNK, Math.min(n, c1 * CHUNK)));
    }
}
