package dev.jgpt.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Sums and elementary functions on float vectors built from exactly rounded operations in a
 * fixed order, so that a result never depends on whether the JIT has compiled the caller yet.
 * The Vector API's own {@code reduceLanes(ADD)} and {@code lanewise(EXP)} do: each is free to
 * add lanes in another order, or to call a vector math library, once compiled, and those last
 * bits made training runs with the same seed drift apart. Every kernel that training runs uses
 * these; the quantized kernels (inference only) keep the Vector API's reduction.
 */
public final class VectorMath {
    private static final float LOG2_E = 1.44269504f;
    /** ln 2 split so that {@code n · LN2_HIGH} is exact for |n| ≤ 2^9. */
    private static final float LN2_HIGH = 0.693359375f;
    private static final float LN2_LOW = -2.12194440e-4f;
    /** 1.5 · 2^23: adding it rounds a float of magnitude below 2^22 to an integer held in the low mantissa bits. */
    private static final float ROUNDER = 12582912f;
    private static final int ROUNDER_BITS = Float.floatToRawIntBits(ROUNDER);
    /** Below this (e^x < 2^-125, near the smallest normal float) e^x is returned as 0. */
    private static final float EXP_MIN = -86.9f;
    /** Above this e^x overflows, and is returned as infinity. */
    private static final float EXP_MAX = 88.72283f;

    /** 1/k! for k = 7 down to 0: the Taylor series of e^r, highest power first (Horner). */
    private static final float[] TAYLOR = {1f / 5040, 1f / 720, 1f / 120, 1f / 24, 1f / 6, 0.5f, 1f, 1f};

    private VectorMath() {}

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** Shuffles of the preferred species moving lane i + h to lane i (h = 8, 4, 2, 1; those wider than it unused). */
    private static final VectorShuffle<Float> FOLD_8 = fold(8);
    private static final VectorShuffle<Float> FOLD_4 = fold(4);
    private static final VectorShuffle<Float> FOLD_2 = fold(2);
    private static final VectorShuffle<Float> FOLD_1 = fold(1);

    private static VectorShuffle<Float> fold(int h) {
        return VectorShuffle.iota(F, Math.min(h, F.length() - 1), 1, true);
    }

    /**
     * The sum of the lanes of a vector of the preferred species, always added as the same tree:
     * the upper half onto the lower half, then again, down to lane 0. (Written out, not looped,
     * so that the compiled code keeps the vectors in registers.)
     */
    public static float sum(FloatVector v) {
        assert v.species() == F && F.length() <= 16 : v.species();
        int n = F.length();
        if (n == 16) {
            v = v.add(v.rearrange(FOLD_8));
        }
        if (n >= 8) {
            v = v.add(v.rearrange(FOLD_4));
        }
        if (n >= 4) {
            v = v.add(v.rearrange(FOLD_2));
        }
        if (n >= 2) {
            v = v.add(v.rearrange(FOLD_1));
        }
        return v.lane(0);
    }

    /**
     * e^x lane by lane, within 2 ulp of the true value: x = n·ln 2 + r with n an integer and
     * |r| ≤ ln 2 / 2, e^r by its Taylor series to r^7 (the next term is under 2^-27), times
     * 2^(n−1) built in the exponent bits, times 2 (so that n = 128 still fits). NaN stays NaN.
     */
    public static FloatVector exp(FloatVector x) {
        VectorSpecies<Float> species = x.species();
        FloatVector clamped = x.max(EXP_MIN).min(EXP_MAX);
        FloatVector shifted = clamped.fma(LOG2_E, ROUNDER);
        FloatVector n = shifted.sub(ROUNDER);
        FloatVector r = n.fma(FloatVector.broadcast(species, -LN2_HIGH), clamped);
        r = n.fma(FloatVector.broadcast(species, -LN2_LOW), r);
        FloatVector p = FloatVector.broadcast(species, TAYLOR[0]);
        for (int k = 1; k < TAYLOR.length; k++) {
            p = p.fma(r, FloatVector.broadcast(species, TAYLOR[k]));
        }
        IntVector exponent = shifted.reinterpretAsInts().add(126 - ROUNDER_BITS).lanewise(VectorOperators.LSHL, 23);
        FloatVector e = p.mul(exponent.reinterpretAsFloats()).mul(2f);
        return e.blend(0f, x.lt(EXP_MIN)).blend(Float.POSITIVE_INFINITY, x.compare(VectorOperators.GT, EXP_MAX));
    }
}
