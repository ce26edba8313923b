package dev.jgpt.model;

import dev.jgpt.tensor.Kernels;
import dev.jgpt.tensor.Parallel;
import dev.jgpt.tensor.VectorMath;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The feed-forward block of each token alone, forward and backward. GELU:
 * {@code out = down(gelu(up(x)))}, GELU in its tanh approximation written as
 * {@code gelu(u) = u·σ(2c)}, {@code c = √(2/π)·(u + 0.044715·u³)} (one exp, no {@code 1 + tanh}
 * cancellation at the negative tail). SwiGLU: {@code out = down(silu(gate(x)) · up(x))},
 * {@code silu(g) = g·σ(g)}. GeGLU (forward only): {@code out = down(gelu(gate(x)) · up(x))}.
 * Every e^x is {@link VectorMath#exp}: the same bits whichever compiler ran the loop.
 */
final class Mlp {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final float C = (float) Math.sqrt(2.0 / Math.PI);
    private static final float K = 0.044715f;
    private static final float EXP_LIMIT = 80f;
    private static final int CHUNK = 1 << 14;

    private final Architecture.Mlp kind;
    private final int hidden;
    private final int embd;

    /** The elementwise steps, each over a range of indices. */
    private enum Step { SWIGLU, GELU, GEGLU, SWIGLU_BACKWARD, GELU_BACKWARD }

    Mlp(ModelConfig config) {
        this.kind = config.architecture().mlp();
        this.hidden = config.mlpHidden();
        this.embd = config.embd();
    }

    /**
     * in: the normed rows [m × E]; up, gate: the pre-activations [m × H] (gate unused under GELU);
     * act: the activation [m × H], which may be {@code up} (GELU) or {@code gate} (SwiGLU, GeGLU) when
     * nothing is kept; ex: GELU's e^(−2c) [m × H] kept for the backward, or null; out: [m × E].
     */
    void forward(LayerWeights w, float[] in, int m, float[] up, float[] gate, float[] act, float[] ex, float[] out) {
        int n = m * hidden;
        w.mlpUp().apply(in, m, up);
        switch (kind) {
            case SWIGLU -> {
                w.mlpGate().apply(in, m, gate);
                forChunks(n, Step.SWIGLU, gate, up, act, null);
            }
            case GEGLU -> {
                w.mlpGate().apply(in, m, gate);
                forChunks(n, Step.GEGLU, gate, up, act, null);
            }
            case GELU -> forChunks(n, Step.GELU, up, null, act, ex);
        }
        w.mlpDown().apply(act, m, out);
    }

    /**
     * The backward of {@link #forward} over m rows given dOut [m × E]: dIn [m × E] written
     * (∂loss/∂in), parameter gradients into grads at their slots. dAct, dGate: [m × H] scratch;
     * dScratch: [m × E] scratch.
     */
    void backward(LayerWeights w, Gradients.LayerSlots slots, float[] in, float[] up, float[] gate, float[] act, float[] ex,
                  float[] dOut, int m, float[] dAct, float[] dGate, float[] dIn, float[] dScratch, float[] grads) {
        int n = m * hidden;
        w.mlpDown().backward(act, dOut, m, dAct, grads, slots.mlpDown());
        if (kind == Architecture.Mlp.GEGLU) {
            throw new IllegalStateException("GeGLU has no backward");
        }
        if (kind == Architecture.Mlp.SWIGLU) {
            forChunks(n, Step.SWIGLU_BACKWARD, gate, up, dAct, dGate); // dAct → dGate and, in dAct, dUp
            w.mlpUp().backward(in, dAct, m, dIn, grads, slots.mlpUp());
            w.mlpGate().backward(in, dGate, m, dScratch, grads, slots.mlpGate());
            Kernels.add(dIn, dScratch, m * embd);
        } else {
            forChunks(n, Step.GELU_BACKWARD, up, ex, dAct, null); // dAct → dUp in place
            w.mlpUp().backward(in, dAct, m, dIn, grads, slots.mlpUp());
        }
    }

    /** Runs {@code step} over [0, n): on the calling thread when n is one chunk (nothing allocated), else across the pool. */
    private static void forChunks(int n, Step step, float[] a, float[] b, float[] c, float[] d) {
        if (n <= CHUNK) {
            run(step, a, b, c, d, 0, n);
            return;
        }
        int chunks = (n + CHUNK - 1) / CHUNK;
        Parallel.forRange(chunks, (c0, c1) -> run(step, a, b, c, d, c0 * CHUNK, Math.min(n, c1 * CHUNK)));
    }

    private static void run(Step step, float[] a, float[] b, float[] c, float[] d, int i0, int i1) {
        switch (step) {
            case SWIGLU -> swigluForward(a, b, c, i0, i1);
            case GELU -> geluForward(a, c, d, i0, i1);
            case GEGLU -> gegluForward(a, b, c, i0, i1);
            case SWIGLU_BACKWARD -> swigluBackward(a, b, c, d, i0, i1);
            case GELU_BACKWARD -> geluBackward(a, b, c, i0, i1);
        }
    }

    /** act = silu(gate) · up; act may be gate. */
    static void swigluForward(float[] gate, float[] up, float[] act, int i0, int i1) {
        int i = i0;
        for (; i <= i1 - L; i += L) {
            FloatVector g = FloatVector.fromArray(F, gate, i);
            g.div(VectorMath.exp(g.neg()).add(1f)).mul(FloatVector.fromArray(F, up, i)).intoArray(act, i);
        }
        for (; i < i1; i++) {
            float g = gate[i];
            act[i] = g / (1f + (float) Math.exp(-g)) * up[i];
        }
    }

    /** act = gelu(gate) · up; act may be gate. */
    private static void gegluForward(float[] gate, float[] up, float[] act, int i0, int i1) {
        geluForward(gate, act, null, i0, i1);
        int i = i0;
        for (; i <= i1 - L; i += L) {
            FloatVector.fromArray(F, act, i).mul(FloatVector.fromArray(F, up, i)).intoArray(act, i);
        }
        for (; i < i1; i++) {
            act[i] *= up[i];
        }
    }

    /**
     * Given dAct, writes dGate = dAct · up · σ(g)·(1 + g·(1 − σ(g))) and replaces dAct by
     * dUp = dAct · silu(g).
     */
    static void swigluBackward(float[] gate, float[] up, float[] dAct, float[] dGate, int i0, int i1) {
        int i = i0;
        for (; i <= i1 - L; i += L) {
            FloatVector g = FloatVector.fromArray(F, gate, i);
            FloatVector sig = FloatVector.broadcast(F, 1f).div(VectorMath.exp(g.neg()).add(1f));
            FloatVector da = FloatVector.fromArray(F, dAct, i);
            FloatVector slope = g.mul(sig.neg().add(1f)).add(1f).mul(sig);
            da.mul(FloatVector.fromArray(F, up, i)).mul(slope).intoArray(dGate, i);
            da.mul(g.mul(sig)).intoArray(dAct, i);
        }
        for (; i < i1; i++) {
            float g = gate[i];
            float sig = 1f / (1f + (float) Math.exp(-g));
            float da = dAct[i];
            dGate[i] = da * up[i] * ((g * (1f - sig) + 1f) * sig);
            dAct[i] = da * (g * sig);
        }
    }

    /**
     * y = gelu(x) = x / (1 + e^(−2c)); with ex not null, ex = e^(−2c) (the exponent capped at 80
     * so it stays finite) kept for the backward. y may be x.
     */
    static void geluForward(float[] x, float[] y, float[] ex, int i0, int i1) {
        FloatVector one = FloatVector.broadcast(F, 1f);
        int i = i0;
        for (; i <= i1 - L; i += L) {
            FloatVector v = FloatVector.fromArray(F, x, i);
            FloatVector minus2c = v.mul(v).fma(K, 1f).mul(v).mul(-2f * C);
            FloatVector e = VectorMath.exp(minus2c.min(EXP_LIMIT));
            if (ex != null) {
                e.intoArray(ex, i);
            }
            v.div(e.add(one)).intoArray(y, i);
        }
        for (; i < i1; i++) {
            float v = x[i];
            float e = (float) Math.exp(Math.min(-2f * C * (v + K * v * v * v), EXP_LIMIT));
            if (ex != null) {
                ex[i] = e;
            }
            y[i] = v / (1f + e);
        }
    }

    /**
     * dy *= gelu'(x) in place, where with {@code s = σ(2c) = 1 / (1 + ex)}:
     * {@code gelu'(x) = s + 2·x·s·(1 − s)·√(2/π)·(1 + 3·0.044715·x²)}; {@code 1 − s} is taken as
     * {@code ex·s}, exact where s rounds to 1.
     */
    static void geluBackward(float[] x, float[] ex, float[] dy, int i0, int i1) {
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
    }
}
