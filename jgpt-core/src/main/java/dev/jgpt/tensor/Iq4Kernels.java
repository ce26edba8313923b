package dev.jgpt.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * SIMD decoding and dot products of IQ4_NL and IQ4_XS rows ({@link Iq4Format}). The 16 bytes
 * of a 32-value group are split into low and high nibbles, each looked up in the 16-byte grid
 * with one byte shuffle (a table lookup in a register), widened to floats and scaled. Both
 * types are groups of 32 values with one scale each (IQ4_XS: d·(ls − 32)), so a row goes in
 * two passes: its group scales into {@code dl}, then one flat loop over the groups. Decoding
 * gives exactly what {@link Iq4Format#value} gives (one product per value, no fused multiply-add).
 * Where a vector holds 16 floats, the dot product instead widens each nibble to an int lane and
 * picks its level as a float from a register holding the whole grid (one permute, no conversion);
 * Q4_0, which is IQ4_NL's layout on the evenly spaced grid q − 8, goes the same way.
 */
final class Iq4Kernels {
    private Iq4Kernels() {}

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    /** 16 bytes: one group's nibbles, and the grid they index. */
    private static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
    private static final ByteVector GRID = ByteVector.fromArray(B16, Iq4Format.GRID, 0);
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    /** Whether a vector holds 16 floats, a whole grid: then dot products pick levels from a register, and {@link #dotQ4_0} serves. */
    static final boolean BY_LEVELS = L == 16;
    /** Where {@link #BY_LEVELS}: the levels a nibble selects, as the bits of floats, one per lane. */
    private static final IntVector GRID_LEVELS = BY_LEVELS ? levels(Iq4Format.GRID) : null;
    /** Q4_0's levels q − 8: Q4_0 is IQ4_NL's layout on an evenly spaced grid. */
    private static final IntVector Q4_0_LEVELS = BY_LEVELS ? levels(new byte[] {-8, -7, -6, -5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7}) : null;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(LE);

    private static IntVector levels(byte[] grid) {
        int[] levels = new int[16];
        for (int q = 0; q < 16; q++) {
            levels[q] = Float.floatToRawIntBits(grid[q]);
        }
        return IntVector.fromArray(I, levels, 0);
    }

    /** dst[y, +n) = the n values (whole blocks) of {@code type} at byte {@code p} of {@code s}. */
    static void decode(DType type, MemorySegment s, long p, float[] dst, int y, int n) {
        for (int g = 0; g < n / 32; g++, y += 32) {
            float dl = groupScale(type, s, p, g);
            ByteVector v = ByteVector.fromMemorySegment(B16, s, groupAt(type, p, g), LE);
            ByteVector lo = v.and((byte) 0xF).selectFrom(GRID);
            ByteVector hi = v.lanewise(VectorOperators.LSHR, 4).selectFrom(GRID);
            for (int k = 0; k < 16; k += L) {
                ((FloatVector) lo.convertShape(VectorOperators.B2F, F, k / L)).mul(dl).intoArray(dst, y + k);
                ((FloatVector) hi.convertShape(VectorOperators.B2F, F, k / L)).mul(dl).intoArray(dst, y + 16 + k);
            }
        }
    }

    /** x[0, in) · the row of {@code type} at byte {@code p}: Σ over groups g of dl_g · Σ GRID[q]·x. */
    static float dot(DType type, float[] x, MemorySegment w, long p, int in, float[] dl) {
        int groups = groupScales(type, w, p, in, dl);
        if (BY_LEVELS) {
            return dot16(type, GRID_LEVELS, x, w, p, groups, dl);
        }
        FloatVector acc = FloatVector.zero(F);
        for (int g = 0; g < groups; g++) {
            ByteVector v = ByteVector.fromMemorySegment(B16, w, groupAt(type, p, g), LE);
            ByteVector lo = v.and((byte) 0xF).selectFrom(GRID);
            ByteVector hi = v.lanewise(VectorOperators.LSHR, 4).selectFrom(GRID);
            int i = 32 * g;
            FloatVector s = FloatVector.zero(F);
            for (int k = 0; k < 16; k += L) {
                s = ((FloatVector) lo.convertShape(VectorOperators.B2F, F, k / L)).fma(FloatVector.fromArray(F, x, i + k), s);
                s = ((FloatVector) hi.convertShape(VectorOperators.B2F, F, k / L)).fma(FloatVector.fromArray(F, x, i + 16 + k), s);
            }
            acc = s.fma(FloatVector.broadcast(F, dl[g]), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /** x[0, in) · the Q4_0 row at byte {@code p}, where {@link #BY_LEVELS}: Σ_b d_b · Σ (q − 8)·x. */
    static float dotQ4_0(float[] x, MemorySegment w, long p, int in, float[] dl) {
        return dot16(DType.IQ4_NL, Q4_0_LEVELS, x, w, p, groupScales(DType.IQ4_NL, w, p, in, dl), dl);
    }

    /**
     * {@link #dot} where a float vector holds 16 lanes, the whole grid: each nibble, widened to an
     * int lane, picks its level from a register of the grid's floats (one permute, no conversion).
     */
    private static float dot16(DType type, IntVector levels, float[] x, MemorySegment w, long p, int groups, float[] dl) {
        FloatVector acc = FloatVector.zero(F);
        for (int g = 0; g < groups; g++) {
            IntVector v = (IntVector) ByteVector.fromMemorySegment(B16, w, groupAt(type, p, g), LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            FloatVector lo = v.and(0xF).selectFrom(levels).reinterpretAsFloats();
            FloatVector hi = v.lanewise(VectorOperators.LSHR, 4).selectFrom(levels).reinterpretAsFloats();
            int i = 32 * g;
            FloatVector s = lo.mul(FloatVector.fromArray(F, x, i));
            s = hi.fma(FloatVector.fromArray(F, x, i + 16), s);
            acc = s.fma(FloatVector.broadcast(F, dl[g]), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /**
     * dl[g] = the scale of group g of the n values at byte p, for every group; returns n/32. An
     * IQ4_XS block's d and its eight six-bit scales are read once, as one short and one int.
     */
    private static int groupScales(DType type, MemorySegment s, long p, int n, float[] dl) {
        int groups = n / 32;
        if (type == DType.IQ4_NL) {
            for (int g = 0; g < groups; g++) {
                dl[g] = groupScale(type, s, p, g);
            }
            return groups;
        }
        for (int g = 0; g < groups; g += 8) {
            long block = p + 136L * (g >> 3);
            float d = Quantization.f16(s, block);
            int high = s.get(I16, block + 2);
            int low = s.get(I32, block + 4);
            for (int sub = 0; sub < 8; sub++) {
                int ls = (low >>> (4 * sub)) & 0xF | ((high >>> (2 * sub)) & 3) << 4;
                dl[g + sub] = d * (ls - 32);
            }
        }
        return groups;
    }

    /** The scale of group g of a row of {@code type} starting at p: IQ4_NL's d; IQ4_XS's d·(ls − 32). */
    private static float groupScale(DType type, MemorySegment s, long p, int g) {
        if (type == DType.IQ4_NL) {
            return Quantization.f16(s, p + 18L * g);
        }
        long block = p + 136L * (g >> 3);
        return Quantization.f16(s, block) * (Iq4Format.subScale(s, block, g & 7) - 32);
    }

    /** The byte where group g's 16 bytes of nibbles lie in a row of {@code type} starting at p. */
    private static long groupAt(DType type, long p, int g) {
        return type == DType.IQ4_NL ? p + 18L * g + 2 : p + 136L * (g >> 3) + 8 + 16 * (g & 7);
    }
}
