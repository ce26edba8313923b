package dev.jgpt.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * GGML's block formats: rows of floats to blocks and back.
 *
 * <p>{@link #quantizeRow} rounds exactly as GGML's reference quantizers do (the blocks that
 * {@code llama-quantize} writes without an importance matrix): the same scale choice, the same
 * searches for K-quant scales, scales rounded to f16 the same way (to nearest even), and the
 * same integer rounding ({@code roundf}: half away from zero for Q8_0; {@code nearest_int}:
 * half to even for the K-quants; truncation after adding ½ for Q4/Q5). Every float operation
 * is done in the same order as there, so the bits agree.
 *
 * <p>Block layouts (little-endian, f16 = IEEE half):
 * <pre>
 * Q8_0  d | 32 × int8                                     x = d·q
 * Q4_0  d | 16 bytes: q[j] low nibble, q[j+16] high       x = d·(q − 8)
 * Q4_1  d | m | 16 bytes of nibbles                        x = d·q + m
 * Q5_0  d | 32 fifth bits (bit j of q[j]) | 16 bytes       x = d·(q − 16)
 * Q5_1  d | m | 32 fifth bits | 16 bytes                   x = d·q + m
 * Q2_K  16 bytes: scale (low nibble) and min (high) of each 16 values | 64 bytes of 2-bit q | d | dmin
 *       (per 128 values: byte l holds q[l], q[l+32], q[l+64], q[l+96], two bits each)  x = d·sc·q − dmin·m
 * Q3_K  32 bytes of third bits (bit k of byte l: value 32k + l) | 64 bytes of 2-bit q as Q2_K |
 *       12 bytes: 16 six-bit signed scales (+32) | d                         x = d·(sc − 32)·(q − 4)
 * Q4_K  d | dmin | 12 bytes: 8 six-bit scales and mins | 128 bytes of nibbles
 *       (64 values per 32 bytes: low nibbles the first 32, high the next)    x = d·sc·q − dmin·m
 * Q5_K  as Q4_K, with 32 bytes of fifth bits before the nibbles (bit 2c / 2c+1 for the
 *       low / high half of chunk c)
 * Q6_K  128 bytes low nibbles | 64 bytes of 2-bit highs | 16 × int8 scales | d
 *       (per 128 values: nibbles of q[l], q[l+32] low and q[l+64], q[l+96] high)  x = d·sc·(q − 32)
 * IQ4_NL, IQ4_XS: nibbles into a fixed non-linear grid ({@link Iq4Format}); quantized by {@link Iq4Quantizer}
 * </pre>
 */
public final class Quantization {
    private Quantization() {}

    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Groups whose largest magnitude is below this count as all zero (the K-quants' rule). */
    private static final float GROUP_MAX_EPS = 1e-15f;

    /**
     * Writes {@code src[srcOffset, +n)} as {@code type} at byte {@code dstOffset} of {@code dst}:
     * {@code type.byteSize(n)} bytes. For a quantized type n must be a whole number of blocks.
     */
    public static void quantizeRow(DType type, float[] src, int srcOffset, int n, MemorySegment dst, long dstOffset) {
        Objects.checkFromIndexSize(srcOffset, n, src.length);
        long bytes = type.byteSize(n);
        Objects.checkFromIndexSize(dstOffset, bytes, dst.byteSize());
        if (!type.isQuantized()) {
            MemorySegment out = dst.asSlice(dstOffset, bytes);
            for (int i = 0; i < n; i++) {
                type.write(out, i, src[srcOffset + i]);
            }
            return;
        }
        KQuantizer k = type.blockSize() == 256 ? new KQuantizer() : null;
        Iq4Quantizer iq4 = type == DType.IQ4_NL || type == DType.IQ4_XS ? new Iq4Quantizer() : null;
        for (int b = 0; b < n / type.blockSize(); b++) {
            int x = srcOffset + b * type.blockSize();
            long o = dstOffset + (long) b * type.blockBytes();
            switch (type) {
                case Q8_0 -> q8_0(src, x, dst, o);
                case Q4_0 -> q4_0(src, x, dst, o);
                case Q4_1 -> q4_1(src, x, dst, o);
                case Q5_0 -> q5_0(src, x, dst, o);
                case Q5_1 -> q5_1(src, x, dst, o);
                case Q2_K -> k.q2_K(src, x, dst, o);
                case Q3_K -> k.q3_K(src, x, dst, o);
                case Q4_K -> k.q4_K(src, x, dst, o);
                case Q5_K -> k.q5_K(src, x, dst, o);
                case Q6_K -> k.q6_K(src, x, dst, o);
                case IQ4_NL, IQ4_XS -> iq4.quantize(type, src, x, dst, o);
                default -> throw new AssertionError(type);
            }
        }
    }

    /**
     * Reads {@code n} values of {@code type} starting at byte {@code srcOffset} of {@code src}
     * into {@code dst[dstOffset, +n)}. For a quantized type n must be a whole number of blocks
     * and {@code srcOffset} the start of a block.
     */
    public static void dequantizeRow(DType type, MemorySegment src, long srcOffset, float[] dst, int dstOffset, int n) {
        Objects.checkFromIndexSize(dstOffset, n, dst.length);
        Objects.checkFromIndexSize(srcOffset, type.byteSize(n), src.byteSize());
        if (!type.isQuantized()) {
            Kernels.convert(src.asSlice(srcOffset), type, 0, dst, dstOffset, n);
            return;
        }
        if (QuantKernels.SIMD) {
            QuantKernels.decode(type, src, srcOffset, dst, dstOffset, n);
            return;
        }
        for (int b = 0; b < n / type.blockSize(); b++) {
            long block = srcOffset + (long) b * type.blockBytes();
            for (int j = 0; j < type.blockSize(); j++) {
                dst[dstOffset + b * type.blockSize() + j] = value(type, src, block, j);
            }
        }
    }

    /**
     * Value {@code j} of the block of {@code type} at byte {@code block} of {@code data},
     * decoded on its own: the scalar reference of the SIMD row decoder, and single reads.
     */
    static float value(DType type, MemorySegment data, long block, int j) {
        return switch (type) {
            case Q8_0 -> data.get(ValueLayout.JAVA_BYTE, block + 2 + j) * f16(data, block);
            case Q4_0, Q4_1, Q5_0, Q5_1 -> {
                int head = headBytes(type);
                int q = nibble(data, block + head, j);
                if (type == DType.Q5_0 || type == DType.Q5_1) {
                    q |= ((data.get(I32, block + head - 4) >>> j) & 1) << 4;
                }
                float d = f16(data, block);
                yield switch (type) {
                    case Q4_0 -> (q - 8) * d;
                    case Q5_0 -> (q - 16) * d;
                    default -> q * d + f16(data, block + 2);
                };
            }
            case Q2_K -> {
                int sc = byteAt(data, block + j / 16);
                int q = twoBits(data, block + 16, j);
                yield f16(data, block + 80) * (sc & 0xF) * q - f16(data, block + 82) * (sc >> 4);
            }
            case Q3_K -> {
                int q = twoBits(data, block + 32, j) - ((byteAt(data, block + j % 32) >> (j / 32) & 1) != 0 ? 0 : 4);
                yield f16(data, block + 108) * (scaleK3(data, block + 96, j / 16) - 32) * q;
            }
            case Q4_K, Q5_K -> {
                int chunk = j / 64;
                int high = (j % 64) / 32; // which half of the chunk: low or high nibbles
                int l = j % 32;
                int sub = 2 * chunk + high;
                boolean five = type == DType.Q5_K;
                long qs = block + (five ? 48 : 16);
                int q = (byteAt(data, qs + 32 * chunk + l) >> (4 * high)) & 0xF;
                if (five && (byteAt(data, block + 16 + l) & (1 << sub)) != 0) {
                    q += 16;
                }
                float dl = f16(data, block) * scaleK4(data, block + 4, sub);
                float ml = f16(data, block + 2) * minK4(data, block + 4, sub);
                yield dl * q - ml;
            }
            case Q6_K -> {
                int half = j / 128; // 128 values per 64 bytes of ql, 32 of qh, 8 scales
                int quarter = (j % 128) / 32;
                int l = j % 32;
                int lo = (byteAt(data, block + 64 * half + l + 32 * (quarter & 1)) >> (4 * (quarter >> 1))) & 0xF;
                int hi = (byteAt(data, block + 128 + 32 * half + l) >> (2 * quarter)) & 3;
                int sc = data.get(ValueLayout.JAVA_BYTE, block + 192 + 8 * half + l / 16 + 2 * quarter);
                yield f16(data, block + 208) * sc * ((lo | hi << 4) - 32);
            }
            case IQ4_NL, IQ4_XS -> Iq4Format.value(type, data, block, j);
            default -> throw new IllegalArgumentException(type + " is not a block format");
        };
    }

    // ---------------------------------------------------------------------------------------------
    // 32-value blocks

    /** d = amax/127 (f16), q = roundf(x/d): round half away from zero. */
    private static void q8_0(float[] x, int at, MemorySegment y, long o) {
        float amax = 0f;
        for (int j = 0; j < 32; j++) {
            float a = Math.abs(x[at + j]);
            amax = amax > a ? amax : a;
        }
        float d = amax / 127;
        float id = d != 0f ? 1f / d : 0f;
        y.set(I16, o, Float.floatToFloat16(d));
        for (int j = 0; j < 32; j++) {
            y.set(ValueLayout.JAVA_BYTE, o + 2 + j, (byte) (int) roundAwayFromZero(x[at + j] * id));
        }
    }

    /** d = (the value of largest magnitude)/−8, so that it maps to q = 0 exactly; q = ⌊x/d + 8.5⌋ ≤ 15. */
    private static void q4_0(float[] x, int at, MemorySegment y, long o) {
        float d = signedMax(x, at) / -8;
        float id = d != 0f ? 1f / d : 0f;
        y.set(I16, o, Float.floatToFloat16(d));
        for (int j = 0; j < 16; j++) {
            int q0 = Math.min(15, (byte) (int) (x[at + j] * id + 8.5f));
            int q1 = Math.min(15, (byte) (int) (x[at + 16 + j] * id + 8.5f));
            y.set(ValueLayout.JAVA_BYTE, o + 2 + j, (byte) (q0 & 0xFF | q1 << 4));
        }
    }

    /** d = (max − min)/15, m = min, q = ⌊(x − min)/d + ½⌋ ≤ 15. */
    private static void q4_1(float[] x, int at, MemorySegment y, long o) {
        float min = blockMin(x, at);
        float max = blockMax(x, at);
        float d = (max - min) / 15;
        float id = d != 0f ? 1f / d : 0f;
        y.set(I16, o, Float.floatToFloat16(d));
        y.set(I16, o + 2, Float.floatToFloat16(min));
        for (int j = 0; j < 16; j++) {
            int q0 = Math.min(15, (byte) (int) ((x[at + j] - min) * id + 0.5f));
            int q1 = Math.min(15, (byte) (int) ((x[at + 16 + j] - min) * id + 0.5f));
            y.set(ValueLayout.JAVA_BYTE, o + 4 + j, (byte) (q0 & 0xFF | q1 << 4));
        }
    }

    /** The smallest of the 32 values of a block. */
    private static float blockMin(float[] x, int at) {
        float min = Float.MAX_VALUE;
        for (int j = 0; j < 32; j++) {
            if (x[at + j] < min) { // a comparison, as the reference does: NaN and −0 treated as it treats them
                min = x[at + j];
            }
        }
        return min;
    }

    /** The largest of the 32 values of a block. */
    private static float blockMax(float[] x, int at) {
        float max = -Float.MAX_VALUE;
        for (int j = 0; j < 32; j++) {
            if (x[at + j] > max) {
                max = x[at + j];
            }
        }
        return max;
    }

    /** As Q4_0 with 5 bits: d = (largest magnitude)/−16, q = ⌊x/d + 16.5⌋ ≤ 31. */
    private static void q5_0(float[] x, int at, MemorySegment y, long o) {
        float d = signedMax(x, at) / -16;
        float id = d != 0f ? 1f / d : 0f;
        y.set(I16, o, Float.floatToFloat16(d));
        int qh = 0;
        for (int j = 0; j < 16; j++) {
            int q0 = Math.min(31, (byte) (int) (x[at + j] * id + 16.5f)) & 0xFF;
            int q1 = Math.min(31, (byte) (int) (x[at + 16 + j] * id + 16.5f)) & 0xFF;
            y.set(ValueLayout.JAVA_BYTE, o + 6 + j, (byte) (q0 & 0xF | (q1 & 0xF) << 4));
            qh |= ((q0 & 0x10) >> 4) << j | ((q1 & 0x10) >> 4) << (j + 16);
        }
        y.set(I32, o + 2, qh);
    }

    /** As Q4_1 with 5 bits: d = (max − min)/31, q = ⌊(x − min)/d + ½⌋. */
    private static void q5_1(float[] x, int at, MemorySegment y, long o) {
        float min = blockMin(x, at);
        float max = blockMax(x, at);
        float d = (max - min) / 31;
        float id = d != 0f ? 1f / d : 0f;
        y.set(I16, o, Float.floatToFloat16(d));
        y.set(I16, o + 2, Float.floatToFloat16(min));
        int qh = 0;
        for (int j = 0; j < 16; j++) {
            int q0 = (int) ((x[at + j] - min) * id + 0.5f) & 0xFF;
            int q1 = (int) ((x[at + 16 + j] - min) * id + 0.5f) & 0xFF;
            y.set(ValueLayout.JAVA_BYTE, o + 8 + j, (byte) (q0 & 0xF | (q1 & 0xF) << 4));
            qh |= ((q0 & 0x10) >> 4) << j | ((q1 & 0x10) >> 4) << (j + 16);
        }
        y.set(I32, o + 4, qh);
    }

    /** The value of largest magnitude among the 32 at {@code at} (the first such, sign kept; 0 if all are 0). */
    private static float signedMax(float[] x, int at) {
        float amax = 0f;
        float max = 0f;
        for (int j = 0; j < 32; j++) {
            float v = x[at + j];
            if (amax < Math.abs(v)) {
                amax = Math.abs(v);
                max = v;
            }
        }
        return max;
    }

    /** Bytes before the nibbles of a 32-value 4/5-bit block: d, then m (…_1), then the fifth bits (Q5_…). */
    private static int headBytes(DType type) {
        return switch (type) {
            case Q4_0 -> 2;
            case Q4_1 -> 4;
            case Q5_0 -> 6;
            default -> 8;
        };
    }

    /** Nibble j of the 16 bytes at qs: q[j] in the low nibble of byte j, q[j + 16] in its high nibble. */
    static int nibble(MemorySegment data, long qs, int j) {
        return (byteAt(data, qs + (j & 15)) >> (4 * (j >> 4))) & 0xF;
    }

    // ---------------------------------------------------------------------------------------------
    // 256-value super-blocks

    /** The 2-bit level of value j of Q2_K's and Q3_K's 64 bytes at qs: per 128 values, bits 2k of byte l hold value 32k + l. */
    private static int twoBits(MemorySegment s, long qs, int j) {
        return (byteAt(s, qs + 32 * (j / 128) + j % 32) >> (2 * (j % 128 / 32))) & 3;
    }

    /**
     * Q3_K's six-bit scale {@code j} (0..15, stored +32) of the 12 packed bytes at {@code at}: its
     * low nibble in byte j (j &lt; 8) or the high nibble of byte j − 8, its top two bits at bit
     * 2·(j/4) of byte 8 + j%4.
     */
    static int scaleK3(MemorySegment s, long at, int j) {
        int low = (byteAt(s, at + (j & 7)) >> (4 * (j >> 3))) & 0xF; // no branch: with one, C2 deoptimised dotQ3K over and over
        return low | ((byteAt(s, at + 8 + (j & 3)) >> (2 * (j >> 2))) & 3) << 4;
    }

    /** Six-bit scale {@code j} (0..7) of the 12 packed scale bytes at {@code at}. */
    static int scaleK4(MemorySegment s, long at, int j) {
        return j < 4 ? byteAt(s, at + j) & 63 : (byteAt(s, at + j + 4) & 0xF) | (byteAt(s, at + j - 4) >> 6) << 4;
    }

    /** Six-bit min {@code j} (0..7) of the 12 packed scale bytes at {@code at}. */
    static int minK4(MemorySegment s, long at, int j) {
        return j < 4 ? byteAt(s, at + j + 4) & 63 : (byteAt(s, at + j + 4) >> 4) | (byteAt(s, at + j) >> 6) << 4;
    }

    /**
     * The K-quant reference quantizers with their working arrays (one set per row). Q4_K and
     * Q5_K fit a scale and a min to each 32-value sub-block by a weighted least-squares search
     * (make_qkx2), then quantize those to 6 bits against a super-block d and dmin; Q6_K fits a
     * signed scale to each 16-value sub-block (make_qx, weights x²) and quantizes those to int8.
     * The values are then requantized against the scales as stored.
     */
    private static final class KQuantizer {
        final int[] levels = new int[256];
        final int[] trial = new int[32];
        final float[] weights = new float[32];
        final float[] scales = new float[16];
        final float[] mins = new float[16];
        float fittedMin;

        /**
         * Per 16 values a scale and a min (make_qkx2 on 2-bit levels, weights |x|, absolute
         * error), both stored as 4-bit multiples of d and dmin; then the levels against them.
         */
        void q2_K(float[] x, int at, MemorySegment y, long o) {
            float maxScale = 0f;
            float maxMin = 0f;
            for (int j = 0; j < 16; j++) {
                for (int l = 0; l < 16; l++) {
                    weights[l] = Math.abs(x[at + 16 * j + l]);
                }
                scales[j] = fitScaleAndMin(x, at + 16 * j, 16, 3, 16 * j, -0.5f, 0.1f, 15, true);
                mins[j] = fittedMin;
                if (scales[j] > maxScale) {
                    maxScale = scales[j];
                }
                if (mins[j] > maxMin) {
                    maxMin = mins[j];
                }
            }
            int[] codes = new int[16]; // scale | min << 4 of each 16 values
            y.set(I16, o + 80, Float.floatToFloat16(maxScale > 0 ? maxScale / 15f : 0f));
            y.set(I16, o + 82, Float.floatToFloat16(maxMin > 0 ? maxMin / 15f : 0f));
            if (maxScale > 0) {
                float iscale = 15f / maxScale;
                for (int j = 0; j < 16; j++) {
                    codes[j] = nearestInt(iscale * scales[j]);
                }
            }
            if (maxMin > 0) {
                float iscale = 15f / maxMin;
                for (int j = 0; j < 16; j++) {
                    codes[j] |= nearestInt(iscale * mins[j]) << 4;
                }
            }
            float d0 = f16(y, o + 80);
            float dmin0 = f16(y, o + 82);
            for (int j = 0; j < 16; j++) {
                int code = codes[j] & 0xFF;
                y.set(ValueLayout.JAVA_BYTE, o + j, (byte) code);
                float d = d0 * (code & 0xF);
                if (d == 0f) {
                    continue;
                }
                float dm = dmin0 * (code >> 4);
                for (int l = 0; l < 16; l++) {
                    levels[16 * j + l] = Math.max(0, Math.min(3, nearestInt((x[at + 16 * j + l] + dm) / d)));
                }
            }
            storeTwoBits(y, o + 16);
        }

        /**
         * Per 16 values a signed scale (make_q3 on levels −4..3, weights x²), stored as 6-bit
         * multiples of d with the largest magnitude at −32; the levels against them, their third
         * bits apart (bit k of byte l for value 32k + l) and the low two as Q2_K stores them.
         */
        void q3_K(float[] x, int at, MemorySegment y, long o) {
            float maxScale = 0f;
            float amax = 0f;
            for (int j = 0; j < 16; j++) {
                scales[j] = fitSymmetricScale(x, at + 16 * j, 16 * j);
                float scale = Math.abs(scales[j]);
                if (scale > amax) {
                    amax = scale;
                    maxScale = scales[j];
                }
            }
            byte[] packed = new byte[12];
            float iscale = maxScale != 0f ? -32f / maxScale : 0f;
            if (maxScale != 0f) {
                for (int j = 0; j < 16; j++) {
                    int l = Math.max(-32, Math.min(31, (byte) nearestInt(iscale * scales[j]))) + 32;
                    if (j < 8) {
                        packed[j] = (byte) (l & 0xF);
                    } else {
                        packed[j - 8] |= (byte) ((l & 0xF) << 4);
                    }
                    packed[8 + j % 4] |= (byte) ((l >> 4) << (2 * (j / 4)));
                }
            }
            MemorySegment.copy(packed, 0, y, ValueLayout.JAVA_BYTE, o + 96, 12);
            y.set(I16, o + 108, Float.floatToFloat16(maxScale != 0f ? 1 / iscale : 0f));
            float d0 = f16(y, o + 108);
            for (int j = 0; j < 16; j++) {
                float d = d0 * (scaleK3(y, o + 96, j) - 32);
                if (d == 0f) {
                    continue;
                }
                for (int l = 0; l < 16; l++) {
                    levels[16 * j + l] = Math.max(-4, Math.min(3, nearestInt(x[at + 16 * j + l] / d))) + 4;
                }
            }
            for (int l = 0; l < 32; l++) {
                int bits = 0;
                for (int k = 0; k < 8; k++) {
                    if (levels[32 * k + l] > 3) {
                        bits |= 1 << k;
                        levels[32 * k + l] -= 4;
                    }
                }
                y.set(ValueLayout.JAVA_BYTE, o + l, (byte) bits);
            }
            storeTwoBits(y, o + 32);
        }

        /** levels[0, 256) (each 0..3) as 64 bytes at qs: per 128 values, byte l holds values l, l+32, l+64, l+96. */
        private void storeTwoBits(MemorySegment y, long qs) {
            for (int half = 0; half < 2; half++) {
                for (int l = 0; l < 32; l++) {
                    int v = 128 * half + l;
                    y.set(ValueLayout.JAVA_BYTE, qs + 32 * half + l,
                            (byte) (levels[v] | levels[v + 32] << 2 | levels[v + 64] << 4 | levels[v + 96] << 6));
                }
            }
        }

        /** v rounded to the nearest level in [−nmax, nmax − 1] (GGML's rounding). */
        private static int signedLevel(float v, int nmax) {
            return Math.max(-nmax, Math.min(nmax - 1, nearestInt(v)));
        }

        /** The value of largest magnitude in x[at, +n), with its sign (the first of equals). */
        private static float largestMagnitude(float[] x, int at, int n) {
            float max = 0f;
            float amax = 0f;
            for (int i = 0; i < n; i++) {
                float ax = Math.abs(x[at + i]);
                if (ax > amax) {
                    amax = ax;
                    max = x[at + i];
                }
            }
            return max;
        }

        /**
         * A signed scale for x[at, +16) with levels in [−4, 3] (stored +4 at levels[lOff, +16)),
         * weights x²: from −4/max, then up to five passes that move single levels where that
         * raises (Σ w·x·q)²/Σ w·q² (make_q3 with its least-squares refinement). All-zero groups
         * get scale 0 and levels 0.
         */
        private float fitSymmetricScale(float[] x, int at, int lOff) {
            int n = 16;
            int nmax = 4;
            float max = largestMagnitude(x, at, n);
            if (Math.abs(max) < GROUP_MAX_EPS) {
                Arrays.fill(levels, lOff, lOff + n, 0);
                return 0f;
            }
            float iscale = -nmax / max;
            float sumLX = 0f;
            float sumL2 = 0f;
            for (int i = 0; i < n; i++) {
                float v = x[at + i];
                int l = signedLevel(iscale * v, nmax);
                levels[lOff + i] = l;
                float w = v * v;
                sumLX += w * v * l;
                sumL2 += w * l * l;
            }
            for (int pass = 0; pass < 5; pass++) {
                int changed = 0;
                for (int i = 0; i < n; i++) {
                    float v = x[at + i];
                    float w = v * v;
                    int li = levels[lOff + i];
                    float slx = sumLX - w * v * li;
                    if (slx > 0) {
                        float sl2 = sumL2 - w * li * li;
                        int l = signedLevel(v * sl2 / slx, nmax);
                        if (l != li) {
                            slx += w * v * l;
                            sl2 += w * l * l;
                            if (sl2 > 0 && slx * slx * sumL2 > sumLX * sumLX * sl2) {
                                levels[lOff + i] = l;
                                sumLX = slx;
                                sumL2 = sl2;
                                changed++;
                            }
                        }
                    }
                }
                if (changed == 0) {
                    break;
                }
            }
            for (int i = 0; i < n; i++) {
                levels[lOff + i] += nmax;
            }
            return sumL2 > 0f ? sumLX / sumL2 : 0f;
        }

        void q4_K(float[] x, int at, MemorySegment y, long o) {
            fitScalesAndMins(x, at, 15, -1f, 0.1f, 20, y, o);
            storeLevels(x, at, 15, y, o);
            for (int j = 0; j < 128; j++) {
                int chunk = j / 32;
                int l = j % 32;
                y.set(ValueLayout.JAVA_BYTE, o + 16 + j, (byte) (levels[64 * chunk + l] | levels[64 * chunk + l + 32] << 4));
            }
        }

        void q5_K(float[] x, int at, MemorySegment y, long o) {
            fitScalesAndMins(x, at, 31, -0.5f, 0.1f, 15, y, o);
            storeLevels(x, at, 31, y, o);
            byte[] qh = new byte[32];
            for (int chunk = 0; chunk < 4; chunk++) {
                for (int l = 0; l < 32; l++) {
                    int l1 = levels[64 * chunk + l];
                    int l2 = levels[64 * chunk + l + 32];
                    qh[l] |= (byte) ((l1 >> 4) << (2 * chunk) | (l2 >> 4) << (2 * chunk + 1));
                    y.set(ValueLayout.JAVA_BYTE, o + 48 + 32 * chunk + l, (byte) (l1 & 0xF | (l2 & 0xF) << 4));
                }
            }
            MemorySegment.copy(qh, 0, y, ValueLayout.JAVA_BYTE, o + 16, 32);
        }

        /** The eight sub-block scales and mins, stored as 6-bit multiples of d and dmin (f16). */
        private void fitScalesAndMins(float[] x, int at, int nmax, float rmin, float rdelta, int nstep, MemorySegment y, long o) {
            float maxScale = 0f;
            float maxMin = 0f;
            for (int j = 0; j < 8; j++) {
                int xs = at + 32 * j;
                float sumX2 = 0f;
                for (int l = 0; l < 32; l++) {
                    sumX2 += x[xs + l] * x[xs + l];
                }
                float avX = (float) Math.sqrt(sumX2 / 32);
                for (int l = 0; l < 32; l++) {
                    weights[l] = avX + Math.abs(x[xs + l]);
                }
                scales[j] = fitScaleAndMin(x, xs, 32, nmax, 32 * j, rmin, rdelta, nstep, false);
                mins[j] = fittedMin;
                if (scales[j] > maxScale) {
                    maxScale = scales[j];
                }
                if (mins[j] > maxMin) {
                    maxMin = mins[j];
                }
            }
            float invScale = maxScale > 0 ? 63f / maxScale : 0f;
            float invMin = maxMin > 0 ? 63f / maxMin : 0f;
            byte[] packed = new byte[12];
            for (int j = 0; j < 8; j++) {
                int ls = Math.min(63, nearestInt(invScale * scales[j]) & 0xFF);
                int lm = Math.min(63, nearestInt(invMin * mins[j]) & 0xFF);
                if (j < 4) {
                    packed[j] = (byte) ls;
                    packed[j + 4] = (byte) lm;
                } else {
                    packed[j + 4] = (byte) (ls & 0xF | (lm & 0xF) << 4);
                    packed[j - 4] |= (byte) ((ls >> 4) << 6);
                    packed[j] |= (byte) ((lm >> 4) << 6);
                }
            }
            y.set(I16, o, Float.floatToFloat16(maxScale / 63f));
            y.set(I16, o + 2, Float.floatToFloat16(maxMin / 63f));
            MemorySegment.copy(packed, 0, y, ValueLayout.JAVA_BYTE, o + 4, 12);
        }

        /** Each value's level against its sub-block's stored scale and min (sub-blocks of scale 0 keep the fit's levels). */
        private void storeLevels(float[] x, int at, int nmax, MemorySegment y, long o) {
            float d0 = f16(y, o);
            float dmin0 = f16(y, o + 2);
            for (int j = 0; j < 8; j++) {
                float d = d0 * scaleK4(y, o + 4, j);
                if (d == 0f) {
                    continue;
                }
                float dm = dmin0 * minK4(y, o + 4, j);
                for (int l = 0; l < 32; l++) {
                    int q = nearestInt((x[at + 32 * j + l] + dm) / d);
                    levels[32 * j + l] = Math.max(0, Math.min(nmax, q));
                }
            }
        }

        /**
         * Scale s and min m ≤ 0 minimising Σ w·(s·q + m − x)² (or Σ w·|s·q + m − x| when
         * {@code absolute}) over x[at, +n) with levels q in [0, nmax] (written to levels[lOff, +n)):
         * first from the range, then from a least-squares fit at each of nstep + 1 trial inverse
         * scales (make_qkx2). Returns s; −m goes to {@link #fittedMin}.
         */
        private float fitScaleAndMin(float[] x, int at, int n, int nmax, int lOff, float rmin, float rdelta, int nstep,
                                     boolean absolute) {
            float min = x[at];
            float max = x[at];
            float sumW = weights[0];
            float sumX = sumW * x[at];
            for (int i = 1; i < n; i++) {
                float v = x[at + i];
                if (v < min) {
                    min = v;
                }
                if (v > max) {
                    max = v;
                }
                float w = weights[i];
                sumW += w;
                sumX += w * v;
            }
            if (min > 0) {
                min = 0;
            }
            if (max == min) {
                Arrays.fill(levels, lOff, lOff + n, 0);
                fittedMin = -min;
                return 0f;
            }
            float iscale = nmax / (max - min);
            float scale = 1 / iscale;
            float bestError = 0f;
            for (int i = 0; i < n; i++) {
                int l = Math.max(0, Math.min(nmax, nearestInt(iscale * (x[at + i] - min))));
                levels[lOff + i] = l;
                float diff = scale * l + min - x[at + i];
                bestError += weights[i] * (absolute ? Math.abs(diff) : diff * diff);
            }
            for (int is = 0; is <= nstep; is++) {
                iscale = (rmin + rdelta * is + nmax) / (max - min);
                float sumL = 0f;
                float sumL2 = 0f;
                float sumXL = 0f;
                for (int i = 0; i < n; i++) {
                    int l = Math.max(0, Math.min(nmax, nearestInt(iscale * (x[at + i] - min))));
                    trial[i] = l;
                    float w = weights[i];
                    sumL += w * l;
                    sumL2 += w * l * l;
                    sumXL += w * l * x[at + i];
                }
                float det = sumW * sumL2 - sumL * sumL;
                if (det > 0) {
                    float thisScale = (sumW * sumXL - sumX * sumL) / det;
                    float thisMin = (sumL2 * sumX - sumL * sumXL) / det;
                    if (thisMin > 0) {
                        thisMin = 0;
                        thisScale = sumXL / sumL2;
                    }
                    float error = 0f;
                    for (int i = 0; i < n; i++) {
                        float diff = thisScale * trial[i] + thisMin - x[at + i];
                        error += weights[i] * (absolute ? Math.abs(diff) : diff * diff);
                    }
                    if (error < bestError) {
                        System.arraycopy(trial, 0, levels, lOff, n);
                        bestError = error;
                        scale = thisScale;
                        min = thisMin;
                    }
                }
            }
            fittedMin = -min;
            return scale;
        }

        void q6_K(float[] x, int at, MemorySegment y, long o) {
            float maxScale = 0f;
            float maxAbsScale = 0f;
            for (int ib = 0; ib < 16; ib++) {
                float scale = fitSignedScale(x, at + 16 * ib, 16 * ib);
                scales[ib] = scale;
                if (Math.abs(scale) > maxAbsScale) {
                    maxAbsScale = Math.abs(scale);
                    maxScale = scale;
                }
            }
            if (maxAbsScale < GROUP_MAX_EPS) {
                y.asSlice(o, 210).fill((byte) 0);
                return;
            }
            float iscale = -128f / maxScale;
            y.set(I16, o + 208, Float.floatToFloat16(1 / iscale));
            for (int ib = 0; ib < 16; ib++) {
                y.set(ValueLayout.JAVA_BYTE, o + 192 + ib, (byte) Math.min(127, nearestInt(iscale * scales[ib])));
            }
            float d0 = f16(y, o + 208);
            for (int j = 0; j < 16; j++) {
                float d = d0 * y.get(ValueLayout.JAVA_BYTE, o + 192 + j);
                if (d == 0f) {
                    continue;
                }
                for (int i = 0; i < 16; i++) {
                    int q = nearestInt(x[at + 16 * j + i] / d);
                    levels[16 * j + i] = Math.max(-32, Math.min(31, q)) + 32;
                }
            }
            for (int half = 0; half < 2; half++) {
                int[] q = levels;
                int base = 128 * half;
                for (int l = 0; l < 32; l++) {
                    int q1 = q[base + l], q2 = q[base + l + 32], q3 = q[base + l + 64], q4 = q[base + l + 96];
                    y.set(ValueLayout.JAVA_BYTE, o + 64 * half + l, (byte) (q1 & 0xF | (q3 & 0xF) << 4));
                    y.set(ValueLayout.JAVA_BYTE, o + 64 * half + l + 32, (byte) (q2 & 0xF | (q4 & 0xF) << 4));
                    y.set(ValueLayout.JAVA_BYTE, o + 128 + 32 * half + l,
                            (byte) (q1 >> 4 | (q2 >> 4) << 2 | (q3 >> 4) << 4 | (q4 >> 4) << 6));
                }
            }
        }

        /**
         * A signed scale for x[at, +16) with levels in [−32, 31] (stored +32 at levels[lOff, +16)),
         * weights x²: from the value of largest magnitude at 19 trial inverse scales around
         * −32/max, the least-squares scale of the best (make_qx with rmse type 1).
         */
        private float fitSignedScale(float[] x, int at, int lOff) {
            int n = 16;
            int nmax = 32;
            float max = largestMagnitude(x, at, n);
            if (Math.abs(max) < GROUP_MAX_EPS) {
                Arrays.fill(levels, lOff, lOff + n, 0);
                return 0f;
            }
            float iscale = -nmax / max;
            float sumLX = 0f;
            float sumL2 = 0f;
            for (int i = 0; i < n; i++) {
                float v = x[at + i];
                int l = signedLevel(iscale * v, nmax);
                levels[lOff + i] = l + nmax;
                float w = v * v;
                sumLX += w * v * l;
                sumL2 += w * l * l;
            }
            float scale = sumL2 != 0f ? sumLX / sumL2 : 0f;
            float best = scale * sumLX;
            for (int is = -9; is <= 9; is++) {
                if (is == 0) {
                    continue;
                }
                iscale = -(nmax + 0.1f * is) / max;
                sumLX = 0f;
                sumL2 = 0f;
                for (int i = 0; i < n; i++) {
                    float v = x[at + i];
                    int l = signedLevel(iscale * v, nmax);
                    float w = v * v;
                    sumLX += w * v * l;
                    sumL2 += w * l * l;
                }
                if (sumL2 > 0 && sumLX * sumLX > best * sumL2) {
                    for (int i = 0; i < n; i++) {
                        levels[lOff + i] = nmax + signedLevel(iscale * x[at + i], nmax);
                    }
                    scale = sumLX / sumL2;
                    best = scale * sumLX;
                }
            }
            return scale;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // rounding and bytes

    /**
     * The integer nearest to v, ties to even, as GGML's nearest_int computes it: v + 1.5·2²³
     * rounds v to an integer in the float's low mantissa bits (|v| < 2²² is assumed there; out of
     * range it yields the same bits as there).
     */
    static int nearestInt(float v) {
        return (Float.floatToRawIntBits(v + 12582912f) & 0x007fffff) - 0x00400000;
    }

    /** C's roundf: to the nearest integer, halves away from zero. */
    static float roundAwayFromZero(float v) {
        return (float) Math.copySign(Math.floor(Math.abs((double) v) + 0.5), v);
    }

    static float f16(MemorySegment s, long at) {
        return Float.float16ToFloat(s.get(I16, at));
    }

    static int byteAt(MemorySegment s, long at) {
        return s.get(ValueLayout.JAVA_BYTE, at) & 0xFF;
    }
}
