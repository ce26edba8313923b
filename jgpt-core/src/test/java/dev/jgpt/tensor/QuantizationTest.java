package dev.jgpt.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Quantization}: error bounds of a round trip per type, the rounding rules of GGML's
 * reference quantizers checked on values where they decide (halves), stored-scale properties
 * that follow from how the scales are chosen, and edge blocks (all zero, huge, all negative).
 */
class QuantizationTest {
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final List<DType> QUANTIZED = Arrays.stream(DType.values()).filter(DType::isQuantized).toList();

    /** Round trip of n values: quantize into a fresh segment, dequantize back. */
    static float[] roundTrip(DType type, float[] x) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(type.byteSize(x.length) + 3).asSlice(3); // unaligned on purpose
            Quantization.quantizeRow(type, x, 0, x.length, seg, 0);
            float[] back = new float[x.length];
            Quantization.dequantizeRow(type, seg, 0, back, 0, x.length);
            return back;
        }
    }

    static float[] gaussian(Random rnd, int n, double sigma, double mean) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (mean + sigma * rnd.nextGaussian());
        }
        return x;
    }

    /**
     * Per-block bound on |x − x̂| for the 32-value types: half a step, plus a whole step at the
     * clamped end of the symmetric types (the largest magnitude maps to −8/−16, its opposite
     * can only reach +7/+15), plus the f16 rounding of the scale and min.
     */
    private static double blockBound(DType type, float[] x, int at) {
        double amax = 0, min = Double.MAX_VALUE, max = -Double.MAX_VALUE;
        for (int j = 0; j < 32; j++) {
            amax = Math.max(amax, Math.abs(x[at + j]));
            min = Math.min(min, x[at + j]);
            max = Math.max(max, x[at + j]);
        }
        double f16 = 1.0 / 1024;
        return switch (type) {
            case Q8_0 -> amax / 127 * (0.5 + 127 * f16) + 1e-7;
            case Q4_0 -> amax / 8 * (1 + 8 * f16) + 1e-7;
            case Q5_0 -> amax / 16 * (1 + 16 * f16) + 1e-7;
            case Q4_1 -> (max - min) / 15 * (0.5 + 15 * f16) + Math.abs(min) * f16 + 1e-7;
            case Q5_1 -> (max - min) / 31 * (0.5 + 31 * f16) + Math.abs(min) * f16 + 1e-7;
            default -> throw new AssertionError(type);
        };
    }

    @Test
    void blocksOf32RoundTripWithinHalfAStep() {
        Random rnd = new Random(11);
        for (DType type : List.of(DType.Q8_0, DType.Q4_0, DType.Q4_1, DType.Q5_0, DType.Q5_1)) {
            for (float[] x : List.of(gaussian(rnd, 32 * 64, 0.02, 0), gaussian(rnd, 32 * 64, 3, 0),
                    gaussian(rnd, 32 * 64, 1, -5), gaussian(rnd, 32 * 16, 1e4, 2e4))) {
                float[] back = roundTrip(type, x);
                for (int i = 0; i < x.length; i++) {
                    double bound = blockBound(type, x, i / 32 * 32);
                    if (!(Math.abs(back[i] - x[i]) <= bound)) {
                        throw new AssertionError(type + ": x[" + i + "] = " + x[i] + " came back " + back[i] + ", bound " + bound);
                    }
                }
            }
        }
    }

    @Test
    void superBlocksRoundTripWithinTheirBitsRmsError() {
        // the RMS error over a row of N(0, σ) relative to σ: about step/√12 per type (Q2_K's 4
        // levels over a 16-value range of ~3.5σ: 0.33σ, less after its search; Q3_K's 8 signed
        // levels over 16 values: 0.16σ; Q4_K's 16 levels over a 32-value range of ~4σ: 0.08σ;
        // Q5_K half that; Q6_K's 64 signed levels over 16 values: 0.025σ), with a margin; and no
        // value off by more than a few steps
        Random rnd = new Random(12);
        double[][] limits = {{0.33, 1.3}, {0.165, 0.6}, {0.08, 0.3}, {0.042, 0.16}, {0.021, 0.08}}; // {rms, max} / σ
        List<DType> types = List.of(DType.Q2_K, DType.Q3_K, DType.Q4_K, DType.Q5_K, DType.Q6_K);
        for (int t = 0; t < types.size(); t++) {
            DType type = types.get(t);
            for (double sigma : new double[] {0.02, 1, 300}) {
                float[] x = gaussian(rnd, 256 * 40, sigma, 0);
                float[] back = roundTrip(type, x);
                double sq = 0, worst = 0;
                for (int i = 0; i < x.length; i++) {
                    double e = back[i] - x[i];
                    sq += e * e;
                    worst = Math.max(worst, Math.abs(e));
                }
                double rms = Math.sqrt(sq / x.length);
                assertThat(rms / sigma).as("%s rms error / σ at σ=%s", type, sigma).isLessThan(limits[t][0]);
                assertThat(worst / sigma).as("%s max error / σ at σ=%s", type, sigma).isLessThan(limits[t][1]);
            }
        }
    }

    @Test
    void q8_0ScaleIsAmaxOver127InF16AndQuantsRoundHalvesAwayFromZero() {
        // amax 127 makes d = 1 exactly, so x·(1/d) = x and each half is a tie
        float[] x = new float[32];
        float[] halves = {0.5f, -0.5f, 1.5f, -1.5f, 2.5f, -2.5f, 126.5f, -126.5f, 0.49999997f, -0.49999997f, 3.4999998f};
        System.arraycopy(halves, 0, x, 0, halves.length);
        x[31] = -127f;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(34);
            Quantization.quantizeRow(DType.Q8_0, x, 0, 32, seg, 0);
            assertThat(Float.float16ToFloat(seg.get(I16, 0))).isEqualTo(1f);
            int[] want = {1, -1, 2, -2, 3, -3, 127, -127, 0, 0, 3};
            for (int j = 0; j < want.length; j++) {
                assertThat((int) seg.get(ValueLayout.JAVA_BYTE, 2 + j)).as("q of %s", x[j]).isEqualTo(want[j]);
            }
            assertThat((int) seg.get(ValueLayout.JAVA_BYTE, 2 + 31)).isEqualTo(-127);
        }
        // on random blocks: d is amax/127 rounded to f16, and every q is x/d (unrounded d) to the nearest integer
        Random rnd = new Random(13);
        float[] y = gaussian(rnd, 32 * 200, 0.7, 0);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(DType.Q8_0.byteSize(y.length));
            Quantization.quantizeRow(DType.Q8_0, y, 0, y.length, seg, 0);
            for (int b = 0; b < y.length / 32; b++) {
                float amax = 0;
                for (int j = 0; j < 32; j++) {
                    amax = Math.max(amax, Math.abs(y[32 * b + j]));
                }
                float d = amax / 127;
                assertThat(seg.get(I16, 34L * b)).isEqualTo(Float.floatToFloat16(d));
                for (int j = 0; j < 32; j++) {
                    double exact = y[32 * b + j] * (double) (1f / d);
                    int q = seg.get(ValueLayout.JAVA_BYTE, 34L * b + 2 + j);
                    assertThat(Math.abs(q - exact)).as("block %d value %d", b, j).isLessThanOrEqualTo(0.5 + 1e-6);
                }
            }
        }
    }

    @Test
    void q4_0MapsTheLargestMagnitudeToMinusEightAndRoundsHalvesUp() {
        // the largest magnitude is −8, so d = 1 and q = min(15, ⌊x + 8.5⌋): halves go up, +8 is clamped to +7
        float[] x = new float[32];
        float[] v = {0.5f, -0.5f, -1.5f, 1.5f, 7.6f, 7.9f, -7.5f, 0.25f};
        System.arraycopy(v, 0, x, 0, v.length);
        x[20] = -8f;
        float[] want = {1f, 0f, -1f, 2f, 7f, 7f, -7f, 0f};
        float[] back = roundTrip(DType.Q4_0, x);
        for (int j = 0; j < v.length; j++) {
            assertThat(back[j]).as("Q4_0 of %s", v[j]).isEqualTo(want[j]);
        }
        assertThat(back[20]).isEqualTo(-8f);
        // a positive largest magnitude: d is negative, and the value comes back exactly
        x[20] = 8f;
        assertThat(roundTrip(DType.Q4_0, x)[20]).isEqualTo(8f);
    }

    @Test
    void nearestIntRoundsHalvesToEven() {
        float[] v = {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f, 0.49999997f, 1e6f + 0.5f, -4194303f, 3.7f, -3.7f};
        for (float f : v) {
            assertThat(Quantization.nearestInt(f)).as("nearest_int(%s)", f).isEqualTo((int) Math.rint(f));
        }
        assertThat(Quantization.roundAwayFromZero(2.5f)).isEqualTo(3f);
        assertThat(Quantization.roundAwayFromZero(-2.5f)).isEqualTo(-3f);
        assertThat(Quantization.roundAwayFromZero(0.49999997f)).isEqualTo(0f);
    }

    @Test
    void kQuantScalesUseTheirWholeRange() {
        // the largest sub-block scale is stored as the top code (63 for Q4_K/Q5_K; −128 for Q6_K,
        // whose super-block scale is −max/128), and so is the largest min when any min is set
        Random rnd = new Random(14);
        float[] x = gaussian(rnd, 256 * 30, 1, 0.3);
        try (Arena arena = Arena.ofConfined()) {
            for (DType type : List.of(DType.Q4_K, DType.Q5_K, DType.Q6_K)) {
                MemorySegment seg = arena.allocate(type.byteSize(x.length));
                Quantization.quantizeRow(type, x, 0, x.length, seg, 0);
                for (int b = 0; b < x.length / 256; b++) {
                    long block = (long) b * type.blockBytes();
                    if (type == DType.Q6_K) {
                        int lowest = 0;
                        for (int j = 0; j < 16; j++) {
                            lowest = Math.min(lowest, seg.get(ValueLayout.JAVA_BYTE, block + 192 + j));
                        }
                        assertThat(lowest).as("%s block %d: smallest scale code", type, b).isEqualTo(-128);
                    } else {
                        int topScale = 0, topMin = 0;
                        for (int j = 0; j < 8; j++) {
                            topScale = Math.max(topScale, sixBit(seg, block + 4, j, false));
                            topMin = Math.max(topMin, sixBit(seg, block + 4, j, true));
                        }
                        assertThat(topScale).as("%s block %d: largest scale code", type, b).isEqualTo(63);
                        assertThat(topMin).as("%s block %d: largest min code", type, b).isEqualTo(63);
                    }
                }
            }
        }
    }

    /** Scale (or min) j of the 12 packed bytes: 6 bits, written here straight from the layout. */
    private static int sixBit(MemorySegment s, long at, int j, boolean min) {
        int[] b = new int[12];
        for (int i = 0; i < 12; i++) {
            b[i] = s.get(ValueLayout.JAVA_BYTE, at + i) & 0xFF;
        }
        if (j < 4) {
            return b[j + (min ? 4 : 0)] & 63;
        }
        int low = min ? b[j + 4] >> 4 : b[j + 4] & 15;
        int high = (min ? b[j] : b[j - 4]) >> 6;
        return low | high << 4;
    }

    @Test
    void q2KAndQ3KScalesUseTheirWholeRangeAndLevelsAreNearestToTheStoredScales() {
        // Q2_K: the largest sub-block scale and min are stored as 15 (4 bits); Q3_K: the scale of
        // largest magnitude as −32 (code 0), since d = −max/32. Each level is then the clamped
        // nearest integer to the value against its sub-block's stored scale (and min).
        Random rnd = new Random(17);
        float[] x = gaussian(rnd, 256 * 30, 1, 0.3);
        try (Arena arena = Arena.ofConfined()) {
            for (DType type : List.of(DType.Q2_K, DType.Q3_K)) {
                MemorySegment seg = arena.allocate(type.byteSize(x.length));
                Quantization.quantizeRow(type, x, 0, x.length, seg, 0);
                for (int b = 0; b < x.length / 256; b++) {
                    long block = (long) b * type.blockBytes();
                    int[] bytes = new int[type.blockBytes()];
                    for (int i = 0; i < bytes.length; i++) {
                        bytes[i] = seg.get(ValueLayout.JAVA_BYTE, block + i) & 0xFF;
                    }
                    int top = 0, topMin = 0, lowest = 63;
                    for (int j = 0; j < 16; j++) {
                        top = Math.max(top, type == DType.Q2_K ? bytes[j] & 0xF : 0);
                        topMin = Math.max(topMin, type == DType.Q2_K ? bytes[j] >> 4 : 0);
                        lowest = Math.min(lowest, type == DType.Q3_K ? q3Scale(bytes, j) : 63);
                    }
                    if (type == DType.Q2_K) {
                        assertThat(top).as("Q2_K block %d: largest scale code", b).isEqualTo(15);
                        assertThat(topMin).as("Q2_K block %d: largest min code", b).isEqualTo(15);
                    } else {
                        assertThat(lowest).as("Q3_K block %d: code of the largest scale", b).isZero();
                    }
                    for (int i = 0; i < 256; i++) {
                        float v = x[256 * b + i];
                        int pair = (bytes[(type == DType.Q2_K ? 16 : 32) + 32 * (i / 128) + i % 32] >> (2 * (i % 128 / 32))) & 3;
                        if (type == DType.Q2_K) {
                            float d = Float.float16ToFloat(seg.get(I16, block + 80)) * (bytes[i / 16] & 0xF);
                            float m = Float.float16ToFloat(seg.get(I16, block + 82)) * (bytes[i / 16] >> 4);
                            assertThat(pair).as("Q2_K block %d value %d", b, i).isEqualTo(clampedNearest((v + m) / d, 0, 3));
                        } else {
                            int level = pair + 4 * ((bytes[i % 32] >> (i / 32)) & 1) - 4;
                            float d = Float.float16ToFloat(seg.get(I16, block + 108)) * (q3Scale(bytes, i / 16) - 32);
                            assertThat(level).as("Q3_K block %d value %d", b, i).isEqualTo(clampedNearest(v / d, -4, 3));
                        }
                    }
                }
            }
        }
    }

    /** Q3_K's scale j (0..63, the scale + 32), written here straight from the layout: low nibbles in bytes 96-103, top bits in 104-107. */
    private static int q3Scale(int[] block, int j) {
        int low = j < 8 ? block[96 + j] & 0xF : block[96 + j - 8] >> 4;
        return low | ((block[104 + j % 4] >> (2 * (j / 4))) & 3) << 4;
    }

    private static int clampedNearest(float v, int lo, int hi) {
        return (int) Math.max(lo, Math.min(hi, Math.rint(v)));
    }

    @Test
    void allZeroBlocksComeBackZero() {
        for (DType type : QUANTIZED) {
            float[] x = new float[512];
            float[] back = roundTrip(type, x);
            for (float v : back) {
                assertThat(v).as("%s of zeros", type).isZero();
            }
        }
    }

    @Test
    void hugeTinyAndOneSignedBlocks() {
        Random rnd = new Random(15);
        for (DType type : QUANTIZED) {
            int n = 512;
            // magnitudes up to 6e4 (the mins of Q4_1/Q5_1 are f16: at most 65504), all negative, all positive, tiny
            for (float[] x : List.of(uniform(rnd, n, 6e4f), negate(abs(gaussian(rnd, n, 1, 0))), abs(gaussian(rnd, n, 3, 1)),
                    gaussian(rnd, n, 1e-3, 0))) {
                float[] back = roundTrip(type, x);
                double amax = 0;
                for (float v : x) {
                    amax = Math.max(amax, Math.abs(v));
                }
                for (int i = 0; i < n; i++) {
                    assertThat(Float.isFinite(back[i])).as("%s finite", type).isTrue();
                    assertThat((double) Math.abs(back[i] - x[i])).as("%s x[%d] = %s", type, i, x[i])
                            .isLessThanOrEqualTo(amax * worstShare(type) + 1e-6);
                }
            }
        }
    }

    /** The largest error as a share of the largest magnitude: a step and more with Q2_K's 4 levels and Q3_K's 8. */
    private static double worstShare(DType type) {
        return switch (type) {
            case Q2_K -> 0.5;
            case Q3_K -> 0.3;
            default -> 0.2;
        };
    }

    private static float[] uniform(Random rnd, int n, float amax) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (rnd.nextFloat() * 2 - 1) * amax;
        }
        return x;
    }

    private static float[] abs(float[] x) {
        for (int i = 0; i < x.length; i++) {
            x[i] = Math.abs(x[i]);
        }
        return x;
    }

    private static float[] negate(float[] x) {
        for (int i = 0; i < x.length; i++) {
            x[i] = -x[i];
        }
        return x;
    }

    @Test
    void singleReadsRowDecodesAndQuantizeRowOffsetsAgree() {
        Random rnd = new Random(16);
        try (Arena arena = Arena.ofConfined()) {
            for (DType type : DType.values()) {
                int bs = type.blockSize() == 1 ? 32 : type.blockSize();
                int n = 8 * bs;
                float[] src = gaussian(rnd, n + 7, 1, 0);
                MemorySegment seg = arena.allocate(type.byteSize(n) + 5);
                Quantization.quantizeRow(type, src, 7, n, seg, 5); // offsets on both sides
                MemorySegment data = seg.asSlice(5);
                float[] row = new float[n + 2];
                type.decode(data, 0, row, 2, n);
                float[] later = new float[bs];
                type.decode(data, 2L * bs, later, 0, bs);
                for (int i = 0; i < n; i++) {
                    assertThat(type.read(data, i)).as("%s element %d", type, i).isEqualTo(row[2 + i]);
                    assertThat(Math.abs(row[2 + i] - src[7 + i])).as("%s element %d", type, i)
                            .isLessThan(type == DType.Q2_K ? 1.2f : 0.6f); // Q2_K: 4 levels per 16 values
                }
                for (int i = 0; i < bs; i++) {
                    assertThat(later[i]).isEqualTo(row[2 + 2 * bs + i]);
                }
                if (type.isQuantized()) {
                    assertThatThrownBy(() -> type.decode(data, 1, row, 0, bs)).isInstanceOf(IllegalArgumentException.class);
                    assertThatThrownBy(() -> type.write(data, 0, 1f)).isInstanceOf(UnsupportedOperationException.class);
                    assertThatThrownBy(() -> Quantization.quantizeRow(type, src, 0, bs + 1, seg, 0))
                            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(type.toString());
                }
            }
        }
    }

    @Test
    void quantizedWeightMatricesAreOutInWithWholeBlocks() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(DType.Q4_K.byteSize(512 * 3));
            WeightMatrix w = new WeightMatrix("w", seg, DType.Q4_K, 512, 3, WeightMatrix.Layout.OUT_IN);
            assertThat(w.byteSize()).isEqualTo(3 * 2 * 144);
            assertThatThrownBy(() -> new WeightMatrix("w", seg, DType.Q4_K, 3, 512, WeightMatrix.Layout.IN_OUT))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("OUT_IN");
            assertThatThrownBy(() -> new WeightMatrix("w", seg.asSlice(0, 34 * 3 * 3), DType.Q8_0, 96 + 1, 3, WeightMatrix.Layout.OUT_IN))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("whole");
            assertThatThrownBy(() -> new WeightMatrix("w", seg, DType.Q8_0, 512, 3, WeightMatrix.Layout.OUT_IN))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected");
            assertThatThrownBy(w::transposed).isInstanceOf(UnsupportedOperationException.class);
        }
    }
}
