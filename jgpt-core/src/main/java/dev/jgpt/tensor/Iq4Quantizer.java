package dev.jgpt.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * IQ4_NL and IQ4_XS blocks from floats, rounding as llama-quantize does without an importance
 * matrix (GGML's quantize_iq4_nl / quantize_iq4_xs): per 32 values, weights x², a first scale
 * that maps the value of largest magnitude to the grid's largest level, then 15 trial inverse
 * scales that map it to −127 + t (t = −7..7), keeping the least-squares scale of whichever
 * assignment explains most of Σ w·x² ((Σ w·x·g)²/Σ w·g² largest). IQ4_XS then stores each
 * sub-block scale as a six-bit multiple of d = −(the scale of largest magnitude)/32, and both
 * reassign every value to its nearest grid level under the scale kept (before f16 rounding, as
 * there). The working arrays are per row.
 */
final class Iq4Quantizer {
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final byte[] GRID = Iq4Format.GRID;
    /** Trial inverse scales on each side of the grid's end (GGML's ntry). */
    private static final int TRIES = 7;
    /** Sub-blocks whose largest magnitude is below this count as all zero. */
    private static final float GROUP_MAX_EPS = 1e-15f;

    private final int[] levels = new int[256];
    private final float[] scales = new float[8];

    /** Writes the block of {@code type} for x[at, +blockSize) at byte {@code o} of {@code y}. */
    void quantize(DType type, float[] x, int at, MemorySegment y, long o) {
        int subBlocks = type.blockSize() / 32;
        float maxScale = 0f;
        float amaxScale = 0f;
        for (int s = 0; s < subBlocks; s++) {
            scales[s] = fitScale(x, at + 32 * s);
            if (Math.abs(scales[s]) > amaxScale) {
                amaxScale = Math.abs(scales[s]);
                maxScale = scales[s];
            }
        }
        if (type == DType.IQ4_NL) {
            y.set(I16, o, Float.floatToFloat16(scales[0]));
            assign(x, at, 0, scales[0]);
        } else {
            float d = -maxScale / 32;
            y.set(I16, o, Float.floatToFloat16(d));
            float id = d != 0f ? 1 / d : 0f;
            int high = 0;
            for (int s = 0; s < subBlocks; s++) {
                int l = Math.max(-32, Math.min(31, Quantization.nearestInt(id * scales[s])));
                assign(x, at, s, d * l);
                l += 32;
                long low = o + 4 + s / 2;
                int before = s % 2 == 0 ? 0 : Quantization.byteAt(y, low);
                y.set(ValueLayout.JAVA_BYTE, low, (byte) (before | (l & 0xF) << (4 * (s % 2))));
                high |= (l >> 4) << (2 * s);
            }
            y.set(I16, o + 2, (short) high);
        }
        long qs = o + Iq4Format.headBytes(type);
        for (int s = 0; s < subBlocks; s++) {
            for (int j = 0; j < 16; j++) {
                y.set(ValueLayout.JAVA_BYTE, qs + 16L * s + j, (byte) (levels[32 * s + j] | levels[32 * s + 16 + j] << 4));
            }
        }
    }

    /** levels of sub-block s = the grid level nearest to each x/scale (level 8, the one nearest 0, for scale 0). */
    private void assign(float[] x, int at, int s, float scale) {
        float id = scale != 0f ? 1 / scale : 0f;
        for (int j = 0; j < 32; j++) {
            levels[32 * s + j] = nearestLevel(id * x[at + 32 * s + j]);
        }
    }

    /** The scale of x[at, +32) by the search described above; 0 for an all-zero sub-block. */
    private static float fitScale(float[] x, int at) {
        float amax = 0f;
        float max = 0f;
        for (int j = 0; j < 32; j++) {
            float ax = Math.abs(x[at + j]);
            if (ax > amax) {
                amax = ax;
                max = x[at + j];
            }
        }
        if (amax < GROUP_MAX_EPS) {
            return 0f;
        }
        float d = -max / GRID[0];
        Fit first = fit(x, at, 1 / d);
        d = first.sumQX() / first.sumQ2();
        float best = d * first.sumQX();
        for (int t = -TRIES; t <= TRIES; t++) {
            Fit trial = fit(x, at, (t + GRID[0]) / max);
            if (trial.sumQ2() > 0 && trial.sumQX() * trial.sumQX() > best * trial.sumQ2()) {
                d = trial.sumQX() / trial.sumQ2();
                best = d * trial.sumQX();
            }
        }
        return d;
    }

    /** Σ w·q·x and Σ w·q² (weights w = x²) over x[at, +32) rounded to the grid at scale 1/id. */
    private record Fit(float sumQX, float sumQ2) {}

    private static Fit fit(float[] x, int at, float id) {
        float sumQX = 0f;
        float sumQ2 = 0f;
        for (int j = 0; j < 32; j++) {
            float v = x[at + j];
            float q = GRID[nearestLevel(id * v)];
            float w = v * v;
            sumQX += w * q * v;
            sumQ2 += w * q * q;
        }
        return new Fit(sumQX, sumQ2);
    }

    /** The index of the grid level nearest to v (the upper one on a tie), clamped to the grid's ends. */
    static int nearestLevel(float v) {
        if (v <= GRID[0]) {
            return 0;
        }
        if (v >= GRID[15]) {
            return 15;
        }
        int lo = 0;
        int hi = 15;
        while (hi - lo > 1) {
            int mid = (lo + hi) / 2;
            if (v < GRID[mid]) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return v - GRID[hi - 1] < GRID[hi] - v ? hi - 1 : hi;
    }
}
