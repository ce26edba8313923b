package dev.jgpt.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The SIMD kernels against their scalar twins ({@link ScalarKernels}) on random, odd shapes. */
class KernelsTest {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    // {m, in, out}: tails of every vector and tile size, multiples of 4 vectors (the streaming
    // matvec), rows longer than the F16 conversion block (4096), sizes past the K block (128) and
    // the OUT_IN row block (64), shapes big enough to run on several threads, and small outputs
    // with many rows (work split by rows).
    private static final int[][] SHAPES = {
        {1, 1, 1}, {1, 3, 17}, {1, 17, 3}, {1, 33, 100}, {1, 100, 33}, {1, 257, 300}, {1, 300, 257}, {1, 1000, 129},
        {1, 128, 70}, {1, 192, 300}, {1, 4100, 5}, {3, 128, 20}, {1, 64, 1}, {1, 5, 4},
        {2, 3, 5}, {3, 17, 33}, {5, 100, 257}, {7, 257, 100}, {8, 33, 17}, {9, 130, 100}, {17, 257, 33},
        {33, 300, 129}, {100, 257, 17}, {50, 129, 200}, {130, 100, 50}, {100, 65, 3}, {200, 400, 3}, {4, 1, 1},
    };

    @Test
    void linearMatchesScalarTwinForAllShapesDtypesLayouts() {
        Random rnd = new Random(42);
        try (Arena arena = Arena.ofShared()) { // shared: the pool's threads read it
            for (int[] s : SHAPES) {
                for (DType dtype : PLAIN) {
                    for (WeightMatrix.Layout layout : WeightMatrix.Layout.values()) {
                        WeightMatrix w = randomWeights(arena, rnd, dtype, s[1], s[2], layout);
                        checkLinear(rnd, s[0], w, true);
                        checkLinear(rnd, s[0], w, false);
                    }
                }
            }
        }
    }

    private static final List<DType> PLAIN = Arrays.stream(DType.values()).filter(d -> !d.isQuantized()).toList();
    private static final List<DType> QUANTIZED = Arrays.stream(DType.values()).filter(DType::isQuantized).toList();

    // {m, blocks per row, out} for quantized weights (in = blocks · block size): one block, odd
    // block counts (the two-blocks-a-step loops), GPT-2's 768, odd outputs, each path of m
    // (matvec, 2-11 rows, GEMM), rows past the K block (128) and the row block (64)
    private static final int[][] QUANT_SHAPES = {
        {1, 1, 1}, {1, 1, 17}, {1, 3, 33}, {1, 5, 129}, {1, 24, 257}, {1, 2, 300}, {2, 3, 5}, {3, 1, 20}, {5, 5, 100},
        {7, 2, 33}, {11, 3, 17}, {12, 1, 65}, {13, 5, 50}, {33, 3, 129}, {100, 2, 17}, {130, 1, 50}, {40, 5, 70},
    };

    @Test
    void quantizedLinearMatchesScalarTwin() {
        Random rnd = new Random(43);
        try (Arena arena = Arena.ofShared()) {
            for (int[] s : QUANT_SHAPES) {
                for (DType dtype : QUANTIZED) {
                    WeightMatrix w = randomWeights(arena, rnd, dtype, s[1] * dtype.blockSize(), s[2], WeightMatrix.Layout.OUT_IN);
                    checkLinear(rnd, s[0], w, true);
                    checkLinear(rnd, s[0], w, false);
                }
            }
        }
    }

    /** The quantized kernels against F32 linear on the dequantized weights (Quantization.dequantizeRow). */
    @Test
    void quantizedLinearMatchesDequantizedF32Linear() {
        Random rnd = new Random(44);
        try (Arena arena = Arena.ofShared()) {
            for (int[] s : QUANT_SHAPES) {
                for (DType dtype : QUANTIZED) {
                    int in = s[1] * dtype.blockSize();
                    int out = s[2];
                    int m = s[0];
                    WeightMatrix q = randomWeights(arena, rnd, dtype, in, out, WeightMatrix.Layout.OUT_IN);
                    float[] values = new float[in * out];
                    Quantization.dequantizeRow(dtype, q.data(), 0, values, 0, values.length);
                    MemorySegment f32 = arena.allocate(4L * values.length);
                    MemorySegment.copy(values, 0, f32, F32, 0, values.length);
                    WeightMatrix w = new WeightMatrix("dequantized", f32, DType.F32, in, out, WeightMatrix.Layout.OUT_IN);
                    float[] x = random(rnd, m * in);
                    float[] bias = random(rnd, out);
                    float[] got = new float[m * out];
                    float[] want = new float[m * out];
                    Kernels.linear(x, m, q, bias, got);
                    Kernels.linear(x, m, w, bias, want);
                    for (int r = 0; r < m; r++) {
                        for (int o = 0; o < out; o++) {
                            double tol = 1e-6 * Math.sqrt(in) * ScalarKernels.magnitude(x, r, w, bias, o) + 1e-6;
                            assertThat((double) got[r * out + o]).as("%s %dx%dx%d y[%d, %d]", dtype, m, in, out, r, o)
                                    .isCloseTo(want[r * out + o], org.assertj.core.data.Offset.offset(tol));
                        }
                    }
                }
            }
        }
    }

    @Test
    void linearIsTheSameOnOneTwoAndThreeThreads() {
        int before = Parallel.threads();
        Random rnd = new Random(7);
        try (Arena arena = Arena.ofShared()) {
            for (int threads : new int[] {1, 3, 2}) {
                Parallel.setThreads(threads);
                for (int[] s : new int[][] {{1, 300, 257}, {1, 1000, 129}, {33, 300, 129}, {200, 400, 3}}) {
                    for (WeightMatrix.Layout layout : WeightMatrix.Layout.values()) {
                        checkLinear(rnd, s[0], randomWeights(arena, rnd, DType.F16, s[1], s[2], layout), true);
                    }
                }
                for (int[] s : new int[][] {{1, 512, 257}, {1, 3072, 129}, {33, 512, 129}, {200, 256, 3}}) {
                    for (DType dtype : List.of(DType.Q8_0, DType.Q4_K, DType.Q6_K)) {
                        checkLinear(rnd, s[0], randomWeights(arena, rnd, dtype, s[1], s[2], WeightMatrix.Layout.OUT_IN), true);
                    }
                }
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    private static void checkLinear(Random rnd, int m, WeightMatrix w, boolean withBias) {
        int in = w.in();
        int out = w.out();
        float[] x = random(rnd, m * in + 5); // arrays may be larger than m rows
        float[] bias = withBias ? random(rnd, out) : null;
        float[] y = new float[m * out + 7];
        Arrays.fill(y, 12345f);
        float[] ref = new float[m * out];
        Kernels.linear(x, m, w, bias, y);
        ScalarKernels.linear(x, m, w, bias, ref);
        for (int r = 0; r < m; r++) {
            for (int o = 0; o < out; o++) {
                double tol = 1e-6 * Math.sqrt(in) * ScalarKernels.magnitude(x, r, w, bias, o) + 1e-6;
                float got = y[r * out + o];
                float want = ref[r * out + o];
                if (!(Math.abs(got - want) <= tol)) {
                    throw new AssertionError(w + " m=" + m + " bias=" + withBias + ": y[" + r + ", " + o + "] = "
                            + got + ", scalar twin " + want + " (tolerance " + tol + ")");
                }
            }
        }
        for (int i = m * out; i < y.length; i++) {
            assertThat(y[i]).as("y past m rows").isEqualTo(12345f);
        }
    }

    /**
     * Random weights in [-1, 1) stored as dtype in a segment that starts at an odd 2-byte offset;
     * a quantized dtype quantizes each row (OUT_IN).
     */
    static WeightMatrix randomWeights(Arena arena, Random rnd, DType dtype, int in, int out, WeightMatrix.Layout layout) {
        long n = (long) in * out;
        MemorySegment seg = arena.allocate(dtype.byteSize(n) + 8, 64).asSlice(2, dtype.byteSize(n));
        if (dtype.isQuantized()) {
            float[] row = new float[in];
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < in; i++) {
                    row[i] = rnd.nextFloat() * 2 - 1;
                }
                Quantization.quantizeRow(dtype, row, 0, in, seg, o * dtype.byteSize(in));
            }
            return new WeightMatrix("w" + in + "x" + out + dtype + layout, seg, dtype, in, out, layout);
        }
        for (long i = 0; i < n; i++) {
            float v = rnd.nextFloat() * 2 - 1;
            switch (dtype) {
                case F32 -> seg.setAtIndex(F32, i, v);
                case F16 -> seg.setAtIndex(I16, i, Float.floatToFloat16(v));
                case BF16 -> seg.setAtIndex(I16, i, toBf16(v));
            }
        }
        return new WeightMatrix("w" + in + "x" + out + dtype + layout, seg, dtype, in, out, layout);
    }

    /** BF16 by rounding to nearest even (values here are finite). */
    static short toBf16(float v) {
        int bits = Float.floatToRawIntBits(v);
        return (short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16);
    }

    /** The F16 matvec reads weights scaled by 2^-112 and rescales each row sum: edge values must survive that. */
    @Test
    void f16MatvecKeepsInfNanSubnormalAndLargestWeights() {
        int in = 64;
        short[] special = {0x7c00, (short) 0xfc00, 0x7e00, 0x0001, (short) 0x8001, 0x03ff, 0x7bff, (short) 0xfbff, 0x0400};
        try (Arena arena = Arena.ofShared()) {
            MemorySegment seg = arena.allocate(2L * in * special.length);
            for (int o = 0; o < special.length; o++) { // row o: small weights, one special value
                for (int i = 0; i < in; i++) {
                    seg.setAtIndex(I16, (long) o * in + i, Float.floatToFloat16(0.01f * ((i % 7) - 3)));
                }
                seg.setAtIndex(I16, (long) o * in + 5, special[o]);
            }
            WeightMatrix w = new WeightMatrix("edges", seg, DType.F16, in, special.length, WeightMatrix.Layout.OUT_IN);
            float[] x = random(new Random(9), in);
            float[] y = new float[special.length];
            float[] ref = new float[special.length];
            Kernels.linear(x, 1, w, null, y);
            ScalarKernels.linear(x, 1, w, null, ref);
            for (int o = 0; o < special.length; o++) {
                if (Float.isNaN(ref[o])) {
                    assertThat(y[o]).as("row with weight %04x", special[o]).isNaN();
                } else if (Float.isInfinite(ref[o])) {
                    assertThat(y[o]).as("row with weight %04x", special[o]).isEqualTo(ref[o]);
                } else {
                    assertThat((double) y[o]).as("row with weight %04x", special[o])
                            .isCloseTo(ref[o], org.assertj.core.data.Offset.offset(1e-5 * (1 + Math.abs(ref[o]))));
                }
            }
        }
    }

    @Test
    void sixteenBitConversionsAreExactForEveryBitPattern() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(2 * 65536 + 2).asSlice(2); // unaligned on purpose
            for (int i = 0; i < 65536; i++) {
                seg.setAtIndex(I16, i, (short) i);
            }
            float[] f16 = new float[65536 + 3];
            float[] bf16 = new float[65536 + 3];
            Kernels.convert(seg, DType.F16, 0, f16, 3, 65536);
            Kernels.convert(seg, DType.BF16, 0, bf16, 3, 65536);
            for (int i = 0; i < 65536; i++) {
                float want = Float.float16ToFloat((short) i);
                if (Float.isNaN(want)) { // NaN payloads may differ (the scalar intrinsic quiets them)
                    assertThat(f16[3 + i]).as("F16 %04x", i).isNaN();
                } else {
                    assertThat(Float.floatToRawIntBits(f16[3 + i])).as("F16 %04x", i).isEqualTo(Float.floatToRawIntBits(want));
                }
                assertThat(Float.floatToRawIntBits(bf16[3 + i])).as("BF16 %04x", i).isEqualTo(i << 16);
            }
        }
    }

    @Test
    void dotAxpyAddMatchScalarTwins() {
        Random rnd = new Random(1);
        for (int n : new int[] {0, 1, 3, 15, 16, 17, 33, 63, 64, 65, 100, 257, 1000}) {
            float[] a = random(rnd, n + 5);
            float[] b = random(rnd, n + 9);
            double tol = 1e-6 * Math.sqrt(n) * n + 1e-6;
            assertThat((double) Kernels.dot(a, 5, b, 9, n)).as("dot n=%d", n)
                    .isCloseTo(ScalarKernels.dot(a, 5, b, 9, n), org.assertj.core.data.Offset.offset(tol));

            float[] y1 = random(rnd, n + 2);
            float[] y2 = y1.clone();
            Kernels.axpy(0.37f, a, 5, y1, 2, n);
            ScalarKernels.axpy(0.37f, a, 5, y2, 2, n);
            assertClose("axpy", y1, y2, 1e-6, 1e-7);

            float[] acc1 = random(rnd, n + 1);
            float[] acc2 = acc1.clone();
            Kernels.add(acc1, b, n);
            ScalarKernels.add(acc2, b, n);
            assertThat(acc1).as("add n=%d", n).containsExactly(acc2);
        }
    }

    @Test
    void layerNormMatchesScalarTwin() {
        Random rnd = new Random(2);
        for (int[] s : new int[][] {{1, 1}, {1, 3}, {2, 17}, {3, 33}, {1, 768}, {5, 257}, {4, 100}}) {
            int m = s[0];
            int d = s[1];
            float[] x = random(rnd, m * d);
            for (int i = 0; i < x.length; i++) {
                x[i] = x[i] * 3 + 5; // a mean far from 0
            }
            float[] gamma = random(rnd, d);
            float[] beta = random(rnd, d);
            float[] got = new float[m * d];
            float[] want = new float[m * d];
            Kernels.layerNorm(x, m, d, gamma, beta, 1e-5f, got);
            ScalarKernels.layerNorm(x, m, d, gamma, beta, 1e-5f, want);
            assertClose("layerNorm " + m + "x" + d, got, want, 1e-5, 1e-5);
            Kernels.layerNorm(x, m, d, gamma, beta, 1e-5f, x); // in place
            assertThat(x).containsExactly(got);
        }
    }

    @Test
    void softmaxMatchesScalarTwin() {
        Random rnd = new Random(4);
        for (int n : new int[] {1, 2, 3, 17, 100, 257, 50257}) {
            float[] x = new float[n + 4];
            for (int i = 0; i < x.length; i++) {
                x[i] = (rnd.nextFloat() * 2 - 1) * 20;
            }
            float[] want = x.clone();
            Kernels.softmax(x, 4, n);
            ScalarKernels.softmax(want, 4, n);
            assertClose("softmax n=" + n, x, want, 3e-6, 1e-9);
        }
    }

    static float[] random(Random rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = rnd.nextFloat() * 2 - 1;
        }
        return a;
    }

    /** |got - want| ≤ rel·|want| + abs, elementwise. */
    static void assertClose(String what, float[] got, float[] want, double rel, double abs) {
        assertThat(got).hasSameSizeAs(want);
        for (int i = 0; i < got.length; i++) {
            double tol = rel * Math.abs(want[i]) + abs;
            if (!(Math.abs((double) got[i] - want[i]) <= tol) && !(Float.compare(got[i], want[i]) == 0)) {
                throw new AssertionError(what + ": [" + i + "] = " + got[i] + ", scalar twin " + want[i]
                        + " (tolerance " + tol + ")");
            }
        }
    }
}
