package dev.jgpt.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The two 4-bit non-linear block formats, IQ4_NL and IQ4_XS: each value is a nibble q that
 * indexes {@link #GRID}, a fixed table of 16 levels spaced more closely near zero (where most
 * weights lie) than at the ends, times a scale. Nibbles are packed as in Q4_0: per 32 values,
 * 16 bytes whose low nibbles are values 0-15 and high nibbles values 16-31.
 *
 * <pre>
 * IQ4_NL  d | 16 bytes of nibbles                                  x = d·GRID[q]
 * IQ4_XS  d | scales_h (u16) | scales_l (4 bytes) | 128 bytes of nibbles (16 per 32 values)
 *         sub-block s (32 values): ls = low nibble s%2 of scales_l[s/2] | bits 2s, 2s+1 of
 *         scales_h as bits 4-5                                     x = d·(ls − 32)·GRID[q]
 * </pre>
 */
final class Iq4Format {
    private Iq4Format() {}

    /** The 16 levels a nibble selects, as GGML defines them (its kvalues_iq4nl). */
    static final byte[] GRID = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

    /** Bytes before the nibbles: IQ4_NL's d; IQ4_XS's d, scales_h and scales_l. */
    static int headBytes(DType type) {
        return type == DType.IQ4_NL ? 2 : 8;
    }

    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Value {@code j} of the block of {@code type} at byte {@code block}: the scalar reference of the SIMD kernels. */
    static float value(DType type, MemorySegment data, long block, int j) {
        if (type == DType.IQ4_NL) {
            return Quantization.f16(data, block) * GRID[Quantization.nibble(data, block + 2, j)];
        }
        int sub = j / 32;
        float dl = Quantization.f16(data, block) * (subScale(data, block, sub) - 32);
        return dl * GRID[Quantization.nibble(data, block + 8 + 16L * sub, j % 32)];
    }

    /** IQ4_XS's six-bit scale (stored +32) of sub-block {@code sub} (0..7) of the block at {@code block}. */
    static int subScale(MemorySegment data, long block, int sub) {
        int low = (Quantization.byteAt(data, block + 4 + sub / 2) >> (4 * (sub % 2))) & 0xF;
        int high = (data.get(I16, block + 2) >> (2 * sub)) & 3;
        return low | high << 4;
    }
}
