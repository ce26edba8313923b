package dev.jgpt.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * SIMD kernels on GGML blocks where they lie ({@link Quantization} describes the layouts):
 * decoding whole blocks to floats, and dot products of weight rows with a float vector x for
 * the matrix × vector product.
 *
 * <p>Bytes are loaded {@link #L} at a time (as many as a float vector has lanes), zero-extended
 * to ints before any nibble is shifted out (byte shifts have no x86 instruction; the high
 * nibble is then a plain shift), and converted to floats. A dot product keeps one vector of
 * partial sums per (sub-)block, scaled once per block into the running sum; the speed is set
 * by the vector instructions per value (about eight per 32 for Q8_0 and Q4_0), since the
 * decoding, not memory, is the bound. Offsets and mins are taken out of the inner loop: for
 * {@code q − 8} (or {@code + m}) it computes {@code Σ q·x} and corrects by {@code 8·Σx}
 * (or {@code m·Σx}), with the per-block sums of x computed once per product
 * ({@link Inputs}). K-quant rows go in two passes: first the row's sub-block scales and
 * the mins' share (vectorised: unpacked one at a time, they cost as much as the dot product),
 * then one flat loop over the values (a loop per super-block inside ran at half the speed).
 * With 16 lanes, Q4_K and Q6_K go in one pass instead: their bytes are loaded as ints and each
 * level is shifted into the mantissa of 1.0, with x permuted once per product to match, which
 * spares the widening and the int-to-float conversion of every value.
 *
 * <p>Decoding gives exactly the floats the scalar {@link Quantization#value} gives (same
 * operations per value, no fused multiply-add). Loops are written out per type: a helper
 * returning vectors that C2 declines to inline boxes them.
 */
final class QuantKernels {
    private QuantKernels() {}

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    /** 8 or 16 lanes: a 16-value sub-block is whole vectors and a byte load of L lanes exists. */
    static final boolean SIMD = L == 8 || L == 16;
    /** Bytes with as many lanes as {@link #F}: one load widens to one int or float vector. */
    private static final VectorSpecies<Byte> B = SIMD ? VectorSpecies.of(byte.class, VectorShape.forBitSize(8 * L)) : null;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(LE);
    /** 0, 1, …, L − 1: lane numbers, for picking bit (k + lane) out of Q5's 32 fifth bits. */
    private static final int[] IOTA = new int[Math.max(L, 1)];

    static {
        for (int i = 0; i < IOTA.length; i++) {
            IOTA[i] = i;
        }
    }

    // K-quant scales in one 16-lane step (AVX-512): lanes 0-7 the six-bit scales, 8-15 the mins,
    // each from a byte holding its low bits (shifted, masked) or'ed with the top two bits of
    // another byte (>>> 2, masked to 0x30) where it has them (sub-blocks 4-7); see k4Quad.
    private static final boolean K4_VECTOR = L == 16;
    private static final VectorShuffle<Byte> K4_LOW = K4_VECTOR
            ? VectorShuffle.fromValues(B, 0, 1, 2, 3, 8, 9, 10, 11, 4, 5, 6, 7, 8, 9, 10, 11) : null;
    private static final VectorShuffle<Byte> K4_HIGH = K4_VECTOR
            ? VectorShuffle.fromValues(B, 0, 0, 0, 0, 0, 1, 2, 3, 0, 0, 0, 0, 4, 5, 6, 7) : null;
    private static final int[] K4_SHIFT = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 4, 4, 4};
    private static final int[] K4_MASK = {63, 63, 63, 63, 15, 15, 15, 15, 63, 63, 63, 63, 15, 15, 15, 15};
    private static final int[] K4_TOP = {0, 0, 0, 0, 0x30, 0x30, 0x30, 0x30, 0, 0, 0, 0, 0x30, 0x30, 0x30, 0x30};
    private static final boolean[] K4_MINS = {false, false, false, false, false, false, false, false,
        true, true, true, true, true, true, true, true};
    /** Lane g takes min g/2 (lane 8 + g/2): the min of the sub-block that 16-value group g lies in. */
    private static final VectorShuffle<Float> K4_MIN_PER_GROUP = K4_VECTOR
            ? VectorShuffle.fromValues(F, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14, 15, 15) : null;

    /** Lane g takes scale g/2: the scale of the sub-block that 16-value group g lies in. */
    private static final VectorShuffle<Float> K4_SCALE_PER_GROUP = K4_VECTOR
            ? VectorShuffle.fromValues(F, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7) : null;
    /** For {@link #dotQ4K}: lanes 0-7 take scale a, lanes 8-15 scale b (the sub-blocks of a 64-byte load's halves). */
    private static final VectorShuffle<Float>[] Q4K_PAIR = K4_VECTOR
            ? new VectorShuffle[] {pair(0, 2), pair(1, 3), pair(4, 6), pair(5, 7)} : null;
    /** Mantissa bits 19-22 of a float, where {@link #dotQ4K} moves a nibble q to read 1 + q/16. */
    private static final int Q4K_NIBBLE = 0x00780000;
    /** Mantissa bits 17-22 of a float, where {@link #dotQ6K16} moves a 6-bit level q to read 1 + q/64. */
    private static final int Q6K_LEVEL = 0x007e0000;
    /** Lanes 0-7 and 8-15 both take lanes 8-15: qh loaded 32 bytes early serves both halves of ql. */
    private static final VectorShuffle<Integer> Q6K_QH = K4_VECTOR
            ? VectorShuffle.fromValues(I, 8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15) : null;
    /** ql[32..63] take their top bits from bits 2-3 and 6-7 of qh. */
    private static final int[] Q6K_QH_SHIFT = {0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 2, 2, 2, 2};
    /** Per half of a super-block h and nibble parity: lanes 4k..4k+3 take scale 8h + 4·parity + k. */
    private static final VectorShuffle<Float>[] Q6K_SCALES = K4_VECTOR
            ? new VectorShuffle[] {quads(0), quads(4), quads(8), quads(12)} : null;
    private static final int ONE_BITS = Float.floatToRawIntBits(1f);

    private static VectorShuffle<Float> quads(int first) {
        int[] lanes = new int[16];
        for (int i = 0; i < 16; i++) {
            lanes[i] = first + i / 4;
        }
        return VectorShuffle.fromArray(F, lanes, 0);
    }

    private static VectorShuffle<Float> pair(int a, int b) {
        int[] lanes = new int[16];
        for (int i = 0; i < 16; i++) {
            lanes[i] = i < 8 ? a : b;
        }
        return VectorShuffle.fromArray(F, lanes, 0);
    }

    /** Values per entry of {@link Inputs#sums}. */
    static final int SUM_GROUP = 16;

    /**
     * What the block kernels need of x besides x itself, computed once per matvec into grow-only
     * arrays: the sums of x per 16 values (every type's offsets and mins act through them), and for
     * Q4_0 where a vector holds fewer than 16 floats (elsewhere it reads its levels from a register,
     * {@link Iq4Kernels#dotQ4_0}) x with the upper half of each 32-value block divided by 16 (so a high nibble is read as
     * {@code byte & 0xF0}, 16 times its value, with no shift) and per block L lanes that add up to
     * −8·Σx (Q4_0's offset, the sum's starting value).
     */
    static final class Inputs {
        float[] sums = new float[0];
        float[] q4x = new float[0];
        float[] q4offset = new float[0];
        float[] lanes = new float[0];

        void prepare(DType type, float[] x, int n) {
            if (type == DType.Q4_0) {
                if (!Iq4Kernels.BY_LEVELS) {
                    prepareQ4_0(x, n);
                }
                return;
            }
            if (K4_VECTOR && (type == DType.Q4_K || type == DType.Q6_K)) {
                prepareLanes(x, n, type == DType.Q4_K ? 64 : 32, type == DType.Q4_K ? 32 : 64);
            }
            if (sums.length < n / SUM_GROUP) {
                sums = new float[n / SUM_GROUP];
            }
            for (int g = 0; g < n / SUM_GROUP; g++) {
                float s = 0f;
                for (int j = 0; j < SUM_GROUP; j++) {
                    s += x[SUM_GROUP * g + j];
                }
                sums[g] = s;
            }
        }

        /**
         * x in the order {@link #dotQ4K} and {@link #dotQ6K16} meet the values: per 128 values (64
         * bytes of nibbles as 16 int lanes), 8 runs of 16, run r lane i for nibble r of int lane
         * i, i.e. byte 4·(i mod 8) + r/2 of the bytes that lane i's half (i/8) covers, low nibble
         * for even r and high for odd r. Value 4·(i mod 8) + r/2 + {@code half}·(i/8) +
         * {@code high}·(r mod 2) of the 128: Q4_K's halves are 32-byte chunks of 64 values, each
         * byte's high nibble 32 values on; Q6_K's are ql[0..31] and ql[32..63] (32 values apart),
         * high nibbles 64 values on.
         */
        private void prepareLanes(float[] x, int n, int half, int high) {
            if (lanes.length < n) {
                lanes = new float[n];
            }
            for (int h = 0; h < n / 128; h++) {
                for (int r = 0; r < 8; r++) {
                    for (int i = 0; i < 16; i++) {
                        lanes[128 * h + 16 * r + i] = x[128 * h + half * (i / 8) + high * (r & 1) + 4 * (i % 8) + r / 2];
                    }
                }
            }
        }

        private void prepareQ4_0(float[] x, int n) {
            int blocks = n / 32;
            if (q4x.length < n) {
                q4x = new float[n];
                q4offset = new float[blocks * L];
            }
            for (int b = 0; b < blocks; b++) {
                for (int j = 0; j < 32; j++) {
                    q4x[32 * b + j] = j < 16 ? x[32 * b + j] : x[32 * b + j] / 16;
                }
                for (int l = 0; l < L; l++) {
                    float s = 0f;
                    for (int j = l; j < 32; j += L) {
                        s += x[32 * b + j];
                    }
                    q4offset[L * b + l] = -8 * s;
                }
            }
        }
    }

    /**
     * Four six-bit scales ({@code min} false) or mins of a K-quant super-block, one per byte:
     * those of sub-blocks 0-3 ({@code high} false) or 4-7. The 12 packed bytes at {@code at}:
     * bytes 0-3 hold sc_0..3 in their low 6 bits, bytes 4-7 m_0..3, bytes 8-11 the low nibbles
     * of sc_4..7 and (high nibbles) of m_4..7, whose top two bits are the top bits of bytes 0-3
     * (scales) and 4-7 (mins).
     */
    private static int k4Quad(MemorySegment w, long at, boolean min, boolean high) {
        int first = w.get(I32, at + (min ? 4 : 0));
        if (!high) {
            return first & 0x3f3f3f3f;
        }
        int nibbles = w.get(I32, at + 8) >>> (min ? 4 : 0);
        return (nibbles & 0x0f0f0f0f) | ((first >>> 6) & 0x03030303) << 4;
    }

    /**
     * A K-quant (Q4_K, Q5_K) super-block's scales and mins in one 16-lane step (AVX-512):
     * {@code factor·d·sc_j} in lane j, {@code dmin·m_j} in lane 8 + j.
     */
    private static FloatVector k4Scales(MemorySegment w, long block, float factor) {
        ByteVector raw = ByteVector.fromMemorySegment(B, w, block + 4, LE); // 12 packed bytes (+ 4 not used)
        IntVector low = (IntVector) raw.rearrange(K4_LOW).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
        IntVector high = (IntVector) raw.rearrange(K4_HIGH).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
        IntVector codes = low.lanewise(VectorOperators.LSHR, IntVector.fromArray(I, K4_SHIFT, 0)).and(IntVector.fromArray(I, K4_MASK, 0))
                .or(high.lanewise(VectorOperators.LSHR, 2).and(IntVector.fromArray(I, K4_TOP, 0)));
        FloatVector scale = FloatVector.broadcast(F, factor * Quantization.f16(w, block))
                .blend(Quantization.f16(w, block + 2), VectorMask.fromArray(F, K4_MINS, 0));
        return ((FloatVector) codes.convert(VectorOperators.I2F, 0)).mul(scale);
    }

    /**
     * The scales of a row of K-quant (Q4_K, Q5_K) super-blocks: {@code dl[16b + j] = d·sc_j}
     * and {@code dl[16b + 8 + j] = dmin·m_j} for super-block b at {@code p + b·bytes}; returns
     * Σ dmin·m_j·Σx over all sub-blocks (the mins' share of the dot product).
     */
    private static float rowScalesK4(MemorySegment w, long p, int bytes, int blocks, float[] dl, float[] sums) {
        if (K4_VECTOR) {
            FloatVector cv = FloatVector.zero(F);
            for (int b = 0; b < blocks; b++) {
                FloatVector scaled = k4Scales(w, p + (long) b * bytes, 1f);
                scaled.intoArray(dl, 16 * b);
                cv = scaled.rearrange(K4_MIN_PER_GROUP).fma(FloatVector.fromArray(F, sums, 16 * b), cv);
            }
            return cv.reduceLanes(VectorOperators.ADD);
        }
        float corr = 0f;
        for (int b = 0; b < blocks; b++) {
            long block = p + (long) b * bytes;
            float d = Quantization.f16(w, block);
            float dmin = Quantization.f16(w, block + 2);
            int sc03 = k4Quad(w, block + 4, false, false), sc47 = k4Quad(w, block + 4, false, true);
            int m03 = k4Quad(w, block + 4, true, false), m47 = k4Quad(w, block + 4, true, true);
            for (int j = 0; j < 4; j++) {
                dl[16 * b + j] = d * ((sc03 >>> (8 * j)) & 0xFF);
                dl[16 * b + 4 + j] = d * ((sc47 >>> (8 * j)) & 0xFF);
                dl[16 * b + 8 + j] = dmin * ((m03 >>> (8 * j)) & 0xFF);
                dl[16 * b + 12 + j] = dmin * ((m47 >>> (8 * j)) & 0xFF);
            }
            for (int g = 0; g < 16; g++) {
                corr += dl[16 * b + 8 + g / 2] * sums[16 * b + g];
            }
        }
        return corr;
    }

    // ---------------------------------------------------------------------------------------------
    // decoding

    /** dst[y, +n) = the n values (whole blocks) of {@code type} at byte {@code p} of {@code s}. */
    static void decode(DType type, MemorySegment s, long p, float[] dst, int y, int n) {
        int blocks = n / type.blockSize();
        switch (type) {
            case Q8_0 -> decodeQ8_0(s, p, dst, y, blocks);
            case Q4_0, Q4_1, Q5_0, Q5_1 -> decodeSmall(type, s, p, dst, y, blocks);
            case Q2_K -> decodeQ2K(s, p, dst, y, blocks);
            case Q3_K -> decodeQ3K(s, p, dst, y, blocks);
            case Q4_K, Q5_K -> decodeQ45K(type == DType.Q5_K, s, p, dst, y, blocks);
            case Q6_K -> decodeQ6K(s, p, dst, y, blocks);
            case IQ4_NL, IQ4_XS -> Iq4Kernels.decode(type, s, p, dst, y, n);
            default -> throw new IllegalArgumentException(type + " is not a block format");
        }
    }

    private static void decodeQ8_0(MemorySegment s, long p, float[] dst, int y, int blocks) {
        for (int b = 0; b < blocks; b++, p += 34, y += 32) {
            FloatVector d = FloatVector.broadcast(F, Quantization.f16(s, p));
            for (int k = 0; k < 32; k += L) {
                ((FloatVector) ByteVector.fromMemorySegment(B, s, p + 2 + k, LE).convertShape(VectorOperators.B2F, F, 0))
                        .mul(d).intoArray(dst, y + k);
            }
        }
    }

    /** Q4_0, Q4_1, Q5_0, Q5_1: nibbles (+ fifth bits), then d·(q − offset) or d·q + m. */
    private static void decodeSmall(DType type, MemorySegment s, long p, float[] dst, int y, int blocks) {
        boolean five = type == DType.Q5_0 || type == DType.Q5_1;
        boolean symmetric = type == DType.Q4_0 || type == DType.Q5_0;
        int head = type == DType.Q4_0 ? 2 : type == DType.Q4_1 ? 4 : type == DType.Q5_0 ? 6 : 8;
        int offset = symmetric ? (five ? 16 : 8) : 0;
        IntVector iota = IntVector.fromArray(I, IOTA, 0);
        int bytes = type.blockBytes();
        for (int b = 0; b < blocks; b++, p += bytes, y += 32) {
            float d = Quantization.f16(s, p);
            float m = symmetric ? 0f : Quantization.f16(s, p + 2);
            int qh = five ? s.get(I32, p + head - 4) : 0;
            for (int k = 0; k < 16; k += L) {
                IntVector v = (IntVector) ByteVector.fromMemorySegment(B, s, p + head + k, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                IntVector lo = v.and(0xF);
                IntVector hi = v.lanewise(VectorOperators.LSHR, 4);
                if (five) { // bit j of qh is the fifth bit of value j
                    IntVector bits = IntVector.broadcast(I, qh).lanewise(VectorOperators.LSHR, iota.add(k));
                    lo = lo.or(bits.lanewise(VectorOperators.LSHL, 4).and(16));
                    hi = hi.or(bits.lanewise(VectorOperators.LSHR, 12).and(16));
                }
                FloatVector flo = (FloatVector) lo.sub(offset).convert(VectorOperators.I2F, 0);
                FloatVector fhi = (FloatVector) hi.sub(offset).convert(VectorOperators.I2F, 0);
                if (symmetric) {
                    flo.mul(d).intoArray(dst, y + k);
                    fhi.mul(d).intoArray(dst, y + 16 + k);
                } else {
                    flo.mul(d).add(m).intoArray(dst, y + k);
                    fhi.mul(d).add(m).intoArray(dst, y + 16 + k);
                }
            }
        }
    }

    /** Q2_K: per 128 values, 32 bytes whose bit pairs 2k give values 32k + l; d·sc·q − dmin·m per 16 values. */
    private static void decodeQ2K(MemorySegment s, long p, float[] dst, int y, int blocks) {
        for (int b = 0; b < blocks; b++, p += 84, y += 256) {
            float d = Quantization.f16(s, p + 80);
            float dmin = Quantization.f16(s, p + 82);
            for (int half = 0; half < 2; half++) {
                for (int l = 0; l < 32; l += L) {
                    IntVector v = (IntVector) ByteVector.fromMemorySegment(B, s, p + 16 + 32 * half + l, LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                    for (int k = 0; k < 4; k++) {
                        int sc = Quantization.byteAt(s, p + 8 * half + 2 * k + l / 16);
                        float dl = d * (sc & 0xF);
                        float ml = dmin * (sc >> 4);
                        ((FloatVector) v.lanewise(VectorOperators.LSHR, 2 * k).and(3).convert(VectorOperators.I2F, 0))
                                .mul(dl).sub(ml).intoArray(dst, y + 128 * half + 32 * k + l);
                    }
                }
            }
        }
    }

    /** Q3_K: Q2_K's bit pairs plus a third bit (bit 4·half + k of hmask[l]; clear means −4), d·(sc − 32) per 16 values. */
    private static void decodeQ3K(MemorySegment s, long p, float[] dst, int y, int blocks) {
        for (int b = 0; b < blocks; b++, p += 110, y += 256) {
            float d = Quantization.f16(s, p + 108);
            for (int half = 0; half < 2; half++) {
                for (int l = 0; l < 32; l += L) {
                    IntVector v = (IntVector) ByteVector.fromMemorySegment(B, s, p + 32 + 32 * half + l, LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                    IntVector h = ((IntVector) ByteVector.fromMemorySegment(B, s, p + l, LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0)).lanewise(VectorOperators.LSHR, 4 * half);
                    for (int k = 0; k < 4; k++) {
                        float dl = d * (Quantization.scaleK3(s, p + 96, 8 * half + 2 * k + l / 16) - 32);
                        IntVector q = v.lanewise(VectorOperators.LSHR, 2 * k).and(3)
                                .or(h.lanewise(VectorOperators.LSHR, k).and(1).lanewise(VectorOperators.LSHL, 2)).sub(4);
                        ((FloatVector) q.convert(VectorOperators.I2F, 0)).mul(dl).intoArray(dst, y + 128 * half + 32 * k + l);
                    }
                }
            }
        }
    }

    /** Q4_K, Q5_K: per 64 values, 32 bytes of nibbles (low: first 32, high: next 32), each half with its scale and min. */
    private static void decodeQ45K(boolean five, MemorySegment s, long p, float[] dst, int y, int blocks) {
        int bytes = five ? 176 : 144;
        long qsAt = five ? 48 : 16;
        for (int b = 0; b < blocks; b++, p += bytes, y += 256) {
            float d = Quantization.f16(s, p);
            float dmin = Quantization.f16(s, p + 2);
            for (int c = 0; c < 4; c++) {
                int sc = k4Quad(s, p + 4, false, c >= 2) >>> (16 * (c & 1)); // sub-blocks 2c, 2c + 1 in the low two bytes
                int mn = k4Quad(s, p + 4, true, c >= 2) >>> (16 * (c & 1));
                float d0 = d * (sc & 0xFF), m0 = dmin * (mn & 0xFF);
                float d1 = d * ((sc >>> 8) & 0xFF), m1 = dmin * ((mn >>> 8) & 0xFF);
                for (int k = 0; k < 32; k += L) {
                    IntVector v = (IntVector) ByteVector.fromMemorySegment(B, s, p + qsAt + 32 * c + k, LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                    IntVector lo = v.and(0xF);
                    IntVector hi = v.lanewise(VectorOperators.LSHR, 4);
                    if (five) { // fifth bits: bit 2c of qh[l] for the low half, 2c + 1 for the high half
                        IntVector h = ((IntVector) ByteVector.fromMemorySegment(B, s, p + 16 + k, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0))
                                .lanewise(VectorOperators.LSHR, 2 * c);
                        lo = lo.or(h.lanewise(VectorOperators.LSHL, 4).and(16));
                        hi = hi.or(h.lanewise(VectorOperators.LSHL, 3).and(16));
                    }
                    ((FloatVector) lo.convert(VectorOperators.I2F, 0)).mul(d0).sub(m0).intoArray(dst, y + 64 * c + k);
                    ((FloatVector) hi.convert(VectorOperators.I2F, 0)).mul(d1).sub(m1).intoArray(dst, y + 64 * c + 32 + k);
                }
            }
        }
    }

    /** Q6_K: per 128 values, lanes l of ql[l], ql[l + 32] (low, high nibbles) and qh[l] (four 2-bit highs) give four values. */
    private static void decodeQ6K(MemorySegment s, long p, float[] dst, int y, int blocks) {
        for (int b = 0; b < blocks; b++, p += 210, y += 256) {
            float d = Quantization.f16(s, p + 208);
            for (int half = 0; half < 2; half++) {
                long ql = p + 64 * half;
                long qh = p + 128 + 32 * half;
                long sc = p + 192 + 8 * half;
                int to = y + 128 * half;
                for (int l = 0; l < 32; l += L) {
                    IntVector a = (IntVector) ByteVector.fromMemorySegment(B, s, ql + l, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                    IntVector c = (IntVector) ByteVector.fromMemorySegment(B, s, ql + 32 + l, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                    IntVector h = (IntVector) ByteVector.fromMemorySegment(B, s, qh + l, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                    int is = l / 16;
                    IntVector q1 = a.and(0xF).or(h.and(3).lanewise(VectorOperators.LSHL, 4)).sub(32);
                    IntVector q2 = c.and(0xF).or(h.lanewise(VectorOperators.LSHR, 2).and(3).lanewise(VectorOperators.LSHL, 4)).sub(32);
                    IntVector q3 = a.lanewise(VectorOperators.LSHR, 4).or(h.lanewise(VectorOperators.LSHR, 4).and(3).lanewise(VectorOperators.LSHL, 4)).sub(32);
                    IntVector q4 = c.lanewise(VectorOperators.LSHR, 4).or(h.lanewise(VectorOperators.LSHR, 6).lanewise(VectorOperators.LSHL, 4)).sub(32);
                    ((FloatVector) q1.convert(VectorOperators.I2F, 0)).mul(d * s.get(ValueLayout.JAVA_BYTE, sc + is)).intoArray(dst, to + l);
                    ((FloatVector) q2.convert(VectorOperators.I2F, 0)).mul(d * s.get(ValueLayout.JAVA_BYTE, sc + is + 2)).intoArray(dst, to + 32 + l);
                    ((FloatVector) q3.convert(VectorOperators.I2F, 0)).mul(d * s.get(ValueLayout.JAVA_BYTE, sc + is + 4)).intoArray(dst, to + 64 + l);
                    ((FloatVector) q4.convert(VectorOperators.I2F, 0)).mul(d * s.get(ValueLayout.JAVA_BYTE, sc + is + 6)).intoArray(dst, to + 96 + l);
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // matrix × vector

    /**
     * y[o] = x · W[o, :] (+ bias[o]) for the rows o in [o0, o1) of a quantized [out, in] matrix,
     * given {@code inputs} prepared from x for this type; {@code scales} (at least in/16 floats) is
     * the calling thread's room for a row's sub-block scales.
     */
    static void matvec(DType type, float[] x, Inputs inputs, MemorySegment w, int in, int o0, int o1, float[] bias, float[] y,
                       float[] scales) {
        long rowBytes = type.byteSize(in);
        float[] sums = inputs.sums;
        for (int o = o0; o < o1; o++) {
            long p = o * rowBytes;
            float s = switch (type) {
                case Q8_0 -> dotQ8_0(x, w, p, in / 32);
                case Q4_0 -> Iq4Kernels.BY_LEVELS ? Iq4Kernels.dotQ4_0(x, w, p, in, scales)
                        : dotQ4_0(inputs.q4x, inputs.q4offset, w, p, in / 32);
                case Q4_1, Q5_0, Q5_1 -> dotSmall(type, x, sums, w, p, in / 32);
                case Q2_K -> dotQ2K(x, sums, w, p, in / 256, scales);
                case Q3_K -> dotQ3K(x, sums, w, p, in / 256, scales);
                case Q4_K -> K4_VECTOR ? dotQ4K(inputs.lanes, sums, w, p, in / 256) : dotQ45K(false, x, sums, w, p, in / 256, scales);
                case Q5_K -> dotQ45K(true, x, sums, w, p, in / 256, scales);
                case Q6_K -> K4_VECTOR ? dotQ6K16(inputs.lanes, sums, w, p, in / 256) : dotQ6K(x, sums, w, p, in / 256, scales);
                case IQ4_NL, IQ4_XS -> Iq4Kernels.dot(type, x, w, p, in, scales);
                default -> throw new IllegalArgumentException(type + " is not a block format");
            };
            y[o] = bias == null ? s : s + bias[o];
        }
    }

    /** Σ d_b · Σ q·x, two blocks a step into two sums. */
    private static float dotQ8_0(float[] x, MemorySegment w, long p, int blocks) {
        FloatVector z = FloatVector.zero(F), a0 = z, a1 = z;
        int b = 0;
        for (; b + 2 <= blocks; b += 2, p += 68) {
            int i = 32 * b;
            FloatVector s0 = z, s1 = z;
            for (int k = 0; k < 32; k += L) {
                s0 = ((FloatVector) ByteVector.fromMemorySegment(B, w, p + 2 + k, LE).convertShape(VectorOperators.B2F, F, 0))
                        .fma(FloatVector.fromArray(F, x, i + k), s0);
                s1 = ((FloatVector) ByteVector.fromMemorySegment(B, w, p + 36 + k, LE).convertShape(VectorOperators.B2F, F, 0))
                        .fma(FloatVector.fromArray(F, x, i + 32 + k), s1);
            }
            a0 = s0.fma(FloatVector.broadcast(F, Quantization.f16(w, p)), a0);
            a1 = s1.fma(FloatVector.broadcast(F, Quantization.f16(w, p + 34)), a1);
        }
        if (b < blocks) {
            FloatVector s0 = z;
            for (int k = 0; k < 32; k += L) {
                s0 = ((FloatVector) ByteVector.fromMemorySegment(B, w, p + 2 + k, LE).convertShape(VectorOperators.B2F, F, 0))
                        .fma(FloatVector.fromArray(F, x, 32 * b + k), s0);
            }
            a0 = s0.fma(FloatVector.broadcast(F, Quantization.f16(w, p)), a0);
        }
        return a0.add(a1).reduceLanes(VectorOperators.ADD);
    }

    /**
     * Σ d_b·(Σ q·x − 8·Σx), from {@link Inputs}' Q4_0 arrays: each block's sum starts at its
     * −8·Σx lanes, low nibbles meet x, high nibbles (kept in place, 16·q) meet x/16.
     */
    private static float dotQ4_0(float[] q4x, float[] q4offset, MemorySegment w, long p, int blocks) {
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++, p += 18) {
            int i = 32 * b;
            FloatVector s = FloatVector.fromArray(F, q4offset, L * b);
            for (int k = 0; k < 16; k += L) {
                IntVector v = (IntVector) ByteVector.fromMemorySegment(B, w, p + 2 + k, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                s = ((FloatVector) v.and(0xF).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, q4x, i + k), s);
                s = ((FloatVector) v.and(0xF0).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, q4x, i + 16 + k), s);
            }
            acc = s.fma(FloatVector.broadcast(F, Quantization.f16(w, p)), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /** Q4_1, Q5_0, Q5_1: Σ d_b·Σ q·x, then −16·d_b·Σx or + m_b·Σx per block. */
    private static float dotSmall(DType type, float[] x, float[] sums, MemorySegment w, long p, int blocks) {
        boolean five = type != DType.Q4_1;
        boolean symmetric = type == DType.Q5_0;
        int head = type == DType.Q4_1 ? 4 : type == DType.Q5_0 ? 6 : 8;
        int bytes = type.blockBytes();
        IntVector iota = IntVector.fromArray(I, IOTA, 0);
        FloatVector acc = FloatVector.zero(F);
        float corr = 0f;
        for (int b = 0; b < blocks; b++, p += bytes) {
            int i = 32 * b;
            int qh = five ? w.get(I32, p + head - 4) : 0;
            FloatVector s = FloatVector.zero(F);
            for (int k = 0; k < 16; k += L) {
                IntVector v = (IntVector) ByteVector.fromMemorySegment(B, w, p + head + k, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                IntVector lo = v.and(0xF);
                IntVector hi = v.lanewise(VectorOperators.LSHR, 4);
                if (five) { // bit j of qh is the fifth bit of value j: lane l of the low half takes bit k + l, of the high half 16 + k + l
                    IntVector bits = IntVector.broadcast(I, qh).lanewise(VectorOperators.LSHR, iota.add(k));
                    lo = lo.or(bits.lanewise(VectorOperators.LSHL, 4).and(16));
                    hi = hi.or(bits.lanewise(VectorOperators.LSHR, 12).and(16));
                }
                s = ((FloatVector) lo.convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, x, i + k), s);
                s = ((FloatVector) hi.convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, x, i + 16 + k), s);
            }
            float d = Quantization.f16(w, p);
            acc = s.fma(FloatVector.broadcast(F, d), acc);
            float xs = sums[2 * b] + sums[2 * b + 1];
            corr += symmetric ? -16 * d * xs : Quantization.f16(w, p + 2) * xs;
        }
        return acc.reduceLanes(VectorOperators.ADD) + corr;
    }

    /**
     * Q2_K: Σ over 16-value groups g of d·sc_g·Σ q·x − dmin·m_g·Σx. First the row's scales
     * (into {@code dl}) and the mins' share, then one flat loop over halves of 128 values: lane l
     * of 32 bytes gives values l, l + 32, l + 64, l + 96 of the half.
     */
    private static float dotQ2K(float[] x, float[] sums, MemorySegment w, long p, int blocks, float[] dl) {
        FloatVector cv = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long block = p + 84L * b;
            float d = Quantization.f16(w, block + 80);
            float dmin = Quantization.f16(w, block + 82);
            for (int g = 0; g < 16; g += L) {
                IntVector codes = (IntVector) ByteVector.fromMemorySegment(B, w, block + g, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                ((FloatVector) codes.and(0xF).convert(VectorOperators.I2F, 0)).mul(d).intoArray(dl, 16 * b + g);
                FloatVector mins = ((FloatVector) codes.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).mul(dmin);
                cv = mins.fma(FloatVector.fromArray(F, sums, 16 * b + g), cv);
            }
        }
        FloatVector z = FloatVector.zero(F), a0 = z, a1 = z;
        for (int hf = 0; hf < 2 * blocks; hf++) {
            long qs = p + 84L * (hf >> 1) + 16 + 32 * (hf & 1);
            int i = 128 * hf;
            for (int l = 0; l < 32; l += L) {
                IntVector v = (IntVector) ByteVector.fromMemorySegment(B, w, qs + l, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                int is = 8 * hf + l / 16;
                FloatVector s0 = ((FloatVector) v.and(3).convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, x, i + l));
                FloatVector s1 = ((FloatVector) v.lanewise(VectorOperators.LSHR, 2).and(3).convert(VectorOperators.I2F, 0))
                        .mul(FloatVector.fromArray(F, x, i + 32 + l));
                a0 = s0.fma(FloatVector.broadcast(F, dl[is]), a0);
                a1 = s1.fma(FloatVector.broadcast(F, dl[is + 2]), a1);
                FloatVector s2 = ((FloatVector) v.lanewise(VectorOperators.LSHR, 4).and(3).convert(VectorOperators.I2F, 0))
                        .mul(FloatVector.fromArray(F, x, i + 64 + l));
                FloatVector s3 = ((FloatVector) v.lanewise(VectorOperators.LSHR, 6).convert(VectorOperators.I2F, 0))
                        .mul(FloatVector.fromArray(F, x, i + 96 + l));
                a0 = s2.fma(FloatVector.broadcast(F, dl[is + 4]), a0);
                a1 = s3.fma(FloatVector.broadcast(F, dl[is + 6]), a1);
            }
        }
        return a0.add(a1).reduceLanes(VectorOperators.ADD) - cv.reduceLanes(VectorOperators.ADD);
    }

    /**
     * Q3_K: Σ over 16-value groups g of d·(sc_g − 32)·(Σ q·x − 4·Σx), q = the two low bits plus
     * 4 × the third bit (unsigned in the loop, the −4 through the block sums of x); the third
     * bits of value 32k + l of half h are bit 4h + k of hmask[l].
     */
    private static float dotQ3K(float[] x, float[] sums, MemorySegment w, long p, int blocks, float[] dl) {
        float corr = 0f;
        for (int b = 0; b < blocks; b++) {
            long block = p + 110L * b;
            float d = Quantization.f16(w, block + 108);
            for (int g = 0; g < 16; g++) {
                dl[16 * b + g] = d * (Quantization.scaleK3(w, block + 96, g) - 32);
                corr += dl[16 * b + g] * sums[16 * b + g];
            }
        }
        FloatVector z = FloatVector.zero(F), a0 = z, a1 = z;
        for (int hf = 0; hf < 2 * blocks; hf++) {
            long block = p + 110L * (hf >> 1);
            long qs = block + 32 + 32 * (hf & 1);
            int i = 128 * hf;
            for (int l = 0; l < 32; l += L) {
                IntVector v = (IntVector) ByteVector.fromMemorySegment(B, w, qs + l, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                IntVector h = ((IntVector) ByteVector.fromMemorySegment(B, w, block + l, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0)).lanewise(VectorOperators.LSHR, 4 * (hf & 1));
                int is = 8 * hf + l / 16;
                FloatVector s0 = ((FloatVector) v.and(3).or(h.and(1).lanewise(VectorOperators.LSHL, 2))
                        .convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, x, i + l));
                FloatVector s1 = ((FloatVector) v.lanewise(VectorOperators.LSHR, 2).and(3).or(h.lanewise(VectorOperators.LSHL, 1).and(4))
                        .convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, x, i + 32 + l));
                a0 = s0.fma(FloatVector.broadcast(F, dl[is]), a0);
                a1 = s1.fma(FloatVector.broadcast(F, dl[is + 2]), a1);
                FloatVector s2 = ((FloatVector) v.lanewise(VectorOperators.LSHR, 4).and(3).or(h.and(4))
                        .convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, x, i + 64 + l));
                FloatVector s3 = ((FloatVector) v.lanewise(VectorOperators.LSHR, 6).or(h.lanewise(VectorOperators.LSHR, 1).and(4))
                        .convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, x, i + 96 + l));
                a0 = s2.fma(FloatVector.broadcast(F, dl[is + 4]), a0);
                a1 = s3.fma(FloatVector.broadcast(F, dl[is + 6]), a1);
            }
        }
        return a0.add(a1).reduceLanes(VectorOperators.ADD) - 4 * corr;
    }

    /**
     * Q4_K and Q5_K: Σ over 32-value sub-blocks j of d·sc_j·Σ q·x − dmin·m_j·Σx. First the row's
     * scales (into {@code dl}) and min corrections; then one flat loop over 64-value chunks (a
     * loop per super-block inside ran at half the speed): 32 bytes give the low nibbles
     * (sub-block 2c of the super-block) and the high (2c + 1); Q5_K adds bit 2c / 2c + 1 of qh[l].
     */
    private static float dotQ45K(boolean five, float[] x, float[] sums, MemorySegment w, long p, int blocks, float[] dl) {
        int bytes = five ? 176 : 144;
        long qsAt = five ? 48 : 16;
        float corr = rowScalesK4(w, p, bytes, blocks, dl, sums);
        FloatVector acc = FloatVector.zero(F);
        for (int ch = 0; ch < 4 * blocks; ch++) {
            long block = p + (long) (ch >> 2) * bytes;
            long qs = block + qsAt + 32 * (ch & 3);
            int shift = 2 * (ch & 3);
            int i = 64 * ch;
            FloatVector s0 = FloatVector.zero(F), s1 = s0;
            for (int k = 0; k < 32; k += L) {
                IntVector v = (IntVector) ByteVector.fromMemorySegment(B, w, qs + k, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                IntVector lo = v.and(0xF);
                IntVector hi = v.lanewise(VectorOperators.LSHR, 4);
                if (five) {
                    IntVector h = ((IntVector) ByteVector.fromMemorySegment(B, w, block + 16 + k, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0))
                            .lanewise(VectorOperators.LSHR, shift);
                    lo = lo.or(h.lanewise(VectorOperators.LSHL, 4).and(16));
                    hi = hi.or(h.lanewise(VectorOperators.LSHL, 3).and(16));
                }
                s0 = ((FloatVector) lo.convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, x, i + k), s0);
                s1 = ((FloatVector) hi.convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, x, i + 32 + k), s1);
            }
            int sub = 16 * (ch >> 2) + 2 * (ch & 3); // sub-block 2c of its super-block
            acc = s0.fma(FloatVector.broadcast(F, dl[sub]), acc);
            acc = s1.fma(FloatVector.broadcast(F, dl[sub + 1]), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD) - corr;
    }

    /**
     * Q4_K with 16 lanes, one pass: per super-block its scales and mins ({@link #k4Scales}), then its 128 bytes as two loads of 16 ints, each int holding 8
     * nibbles. Nibble r is moved into mantissa bits 19-22 of a float 1.0 (a shift and one
     * and-or), which reads as 1 + q/16: no int-to-float conversion and no widening of bytes.
     * So Σ q·x = 16·Σ (1 + q/16)·x − 16·Σx; the 16 is folded into the scales and the −16·Σx
     * into the per-group corrections beside the mins. x comes in the matching order
     * ({@link Inputs#prepareLanes}); lanes 0-7 of a load lie in one 32-byte chunk, lanes 8-15 in the
     * next, so each product is scaled by a pair of sub-block scales ({@link #Q4K_PAIR}).
     */
    private static float dotQ4K(float[] xq, float[] sums, MemorySegment w, long p, int blocks) {
        FloatVector z = FloatVector.zero(F), acc0 = z, acc1 = z, cv = z;
        for (int b = 0; b < blocks; b++) {
            long block = p + 144L * b;
            FloatVector scaled = k4Scales(w, block, 16f); // 16·d·sc_j, dmin·m_j
            cv = scaled.rearrange(K4_MIN_PER_GROUP).add(scaled.rearrange(K4_SCALE_PER_GROUP))
                    .fma(FloatVector.fromArray(F, sums, 16 * b), cv);
            for (int h = 0; h < 2; h++) {
                IntVector v = IntVector.fromMemorySegment(I, w, block + 16 + 64 * h, LE);
                IntVector u = v.lanewise(VectorOperators.LSHR, 16); // nibbles 4-7 as 0-3
                int i = 256 * b + 128 * h;
                FloatVector e0 = z, o0 = z, e1 = z, o1 = z;
                for (int r = 0; r < 4; r += 2) {
                    e0 = v.lanewise(VectorOperators.LSHL, 19 - 4 * r).and(Q4K_NIBBLE).or(ONE_BITS).reinterpretAsFloats()
                            .fma(FloatVector.fromArray(F, xq, i + 16 * r), e0);
                    o0 = v.lanewise(VectorOperators.LSHL, 15 - 4 * r).and(Q4K_NIBBLE).or(ONE_BITS).reinterpretAsFloats()
                            .fma(FloatVector.fromArray(F, xq, i + 16 * r + 16), o0);
                    e1 = u.lanewise(VectorOperators.LSHL, 19 - 4 * r).and(Q4K_NIBBLE).or(ONE_BITS).reinterpretAsFloats()
                            .fma(FloatVector.fromArray(F, xq, i + 16 * r + 64), e1);
                    o1 = u.lanewise(VectorOperators.LSHL, 15 - 4 * r).and(Q4K_NIBBLE).or(ONE_BITS).reinterpretAsFloats()
                            .fma(FloatVector.fromArray(F, xq, i + 16 * r + 80), o1);
                }
                acc0 = e0.add(e1).fma(scaled.rearrange(Q4K_PAIR[2 * h]), acc0);
                acc1 = o0.add(o1).fma(scaled.rearrange(Q4K_PAIR[2 * h + 1]), acc1);
            }
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD) - cv.reduceLanes(VectorOperators.ADD);
    }

    /**
     * Q6_K with 16 lanes, as {@link #dotQ4K}: per half of a super-block, ql[0..63] as 16 ints and
     * qh as 16 ints whose lanes 8-15 (ql[32..63]'s) are shifted to bring bits 2-3 and 6-7 where
     * lanes 0-7 have bits 0-1 and 4-5. The levels of the low nibbles, and of the high, are put
     * together a byte each (nibble | two bits << 4), so one shift moves each level into
     * mantissa bits 17-22 of 1.0, reading 1 + q/64. Σ (q − 32)·x = 64·Σ (1 + q/64)·x − 96·Σx
     * per 16-value sub-block; each product vector holds four sub-blocks, a quad of lanes each.
     */
    private static float dotQ6K16(float[] xq, float[] sums, MemorySegment w, long p, int blocks) {
        IntVector qhShift = IntVector.fromArray(I, Q6K_QH_SHIFT, 0);
        FloatVector z = FloatVector.zero(F), acc0 = z, acc1 = z, cv = z;
        for (int b = 0; b < blocks; b++) {
            long block = p + 210L * b;
            FloatVector dl = ((FloatVector) ByteVector.fromMemorySegment(B, w, block + 192, LE)
                    .convertShape(VectorOperators.B2F, F, 0)).mul(Quantization.f16(w, block + 208));
            cv = dl.fma(FloatVector.fromArray(F, sums, 16 * b), cv);
            for (int h = 0; h < 2; h++) {
                IntVector v = IntVector.fromMemorySegment(I, w, block + 64 * h, LE);
                IntVector t = IntVector.fromMemorySegment(I, w, block + 96 + 32 * h, LE).rearrange(Q6K_QH)
                        .lanewise(VectorOperators.LSHR, qhShift);
                // per byte, the 6-bit level of its low nibble (even r) and of its high nibble (odd r)
                IntVector even = v.and(0x0f0f0f0f).or(t.and(0x03030303).lanewise(VectorOperators.LSHL, 4));
                IntVector odd = v.lanewise(VectorOperators.LSHR, 4).and(0x0f0f0f0f).or(t.and(0x30303030));
                int i = 256 * b + 128 * h;
                FloatVector e0 = even.lanewise(VectorOperators.LSHL, 17).and(Q6K_LEVEL).or(ONE_BITS).reinterpretAsFloats()
                        .mul(FloatVector.fromArray(F, xq, i));
                FloatVector o0 = odd.lanewise(VectorOperators.LSHL, 17).and(Q6K_LEVEL).or(ONE_BITS).reinterpretAsFloats()
                        .mul(FloatVector.fromArray(F, xq, i + 16));
                FloatVector e1 = even.lanewise(VectorOperators.LSHL, 1).and(Q6K_LEVEL).or(ONE_BITS).reinterpretAsFloats()
                        .mul(FloatVector.fromArray(F, xq, i + 64));
                FloatVector o1 = odd.lanewise(VectorOperators.LSHL, 1).and(Q6K_LEVEL).or(ONE_BITS).reinterpretAsFloats()
                        .mul(FloatVector.fromArray(F, xq, i + 80));
                e0 = even.lanewise(VectorOperators.LSHL, 9).and(Q6K_LEVEL).or(ONE_BITS).reinterpretAsFloats()
                        .fma(FloatVector.fromArray(F, xq, i + 32), e0);
                o0 = odd.lanewise(VectorOperators.LSHL, 9).and(Q6K_LEVEL).or(ONE_BITS).reinterpretAsFloats()
                        .fma(FloatVector.fromArray(F, xq, i + 48), o0);
                e1 = even.lanewise(VectorOperators.LSHR, 7).and(Q6K_LEVEL).or(ONE_BITS).reinterpretAsFloats()
                        .fma(FloatVector.fromArray(F, xq, i + 96), e1);
                o1 = odd.lanewise(VectorOperators.LSHR, 7).and(Q6K_LEVEL).or(ONE_BITS).reinterpretAsFloats()
                        .fma(FloatVector.fromArray(F, xq, i + 112), o1);
                acc0 = e0.add(e1).fma(dl.rearrange(Q6K_SCALES[2 * h]), acc0);
                acc1 = o0.add(o1).fma(dl.rearrange(Q6K_SCALES[2 * h + 1]), acc1);
            }
        }
        return 64 * acc0.add(acc1).reduceLanes(VectorOperators.ADD) - 96 * cv.reduceLanes(VectorOperators.ADD);
    }

    /** Σ over 16-value sub-blocks j of d·sc_j·(Σ q·x − 32·Σx), q the unsigned 6-bit level. */
    private static float dotQ6K(float[] x, float[] sums, MemorySegment w, long p, int blocks, float[] dl) {
        FloatVector cv = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) { // scale j of super-block b covers values [16j, 16j + 16) of it
            long block = p + 210L * b;
            float d = Quantization.f16(w, block + 208);
            for (int j = 0; j < 16; j += L) {
                FloatVector sc = ((FloatVector) ByteVector.fromMemorySegment(B, w, block + 192 + j, LE)
                        .convertShape(VectorOperators.B2F, F, 0)).mul(d);
                sc.intoArray(dl, 16 * b + j);
                cv = sc.fma(FloatVector.fromArray(F, sums, 16 * b + j), cv);
            }
        }
        float corr = cv.reduceLanes(VectorOperators.ADD);
        FloatVector z = FloatVector.zero(F), a0 = z, a1 = z;
        for (int hf = 0; hf < 2 * blocks; hf++) { // halves of 128 values, one flat loop
            long block = p + 210L * (hf >> 1);
            long ql = block + 64 * (hf & 1);
            long qh = block + 128 + 32 * (hf & 1);
            int i = 128 * hf;
            for (int l = 0; l < 32; l += L) {
                IntVector a = (IntVector) ByteVector.fromMemorySegment(B, w, ql + l, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                IntVector c = (IntVector) ByteVector.fromMemorySegment(B, w, ql + 32 + l, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                IntVector h = (IntVector) ByteVector.fromMemorySegment(B, w, qh + l, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                int is = 8 * hf + l / 16;
                FloatVector s0 = ((FloatVector) a.and(0xF).or(h.and(3).lanewise(VectorOperators.LSHL, 4))
                        .convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, x, i + l));
                FloatVector s1 = ((FloatVector) c.and(0xF).or(h.lanewise(VectorOperators.LSHR, 2).and(3).lanewise(VectorOperators.LSHL, 4))
                        .convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, x, i + 32 + l));
                a0 = s0.fma(FloatVector.broadcast(F, dl[is]), a0);
                a1 = s1.fma(FloatVector.broadcast(F, dl[is + 2]), a1);
                FloatVector s2 = ((FloatVector) a.lanewise(VectorOperators.LSHR, 4)
                        .or(h.lanewise(VectorOperators.LSHR, 4).and(3).lanewise(VectorOperators.LSHL, 4))
                        .convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, x, i + 64 + l));
                FloatVector s3 = ((FloatVector) c.lanewise(VectorOperators.LSHR, 4)
                        .or(h.lanewise(VectorOperators.LSHR, 6).lanewise(VectorOperators.LSHL, 4))
                        .convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, x, i + 96 + l));
                a0 = s2.fma(FloatVector.broadcast(F, dl[is + 4]), a0);
                a1 = s3.fma(FloatVector.broadcast(F, dl[is + 6]), a1);
            }
        }
        return a0.add(a1).reduceLanes(VectorOperators.ADD) - 32 * corr;
    }
}
