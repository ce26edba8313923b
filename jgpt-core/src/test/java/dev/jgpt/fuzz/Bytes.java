package dev.jgpt.fuzz;

import java.util.Arrays;
import java.util.Random;

/** Byte-level mutations of a file's contents, each returning a changed copy. */
final class Bytes {
    /** Values that break arithmetic: zero, one, all ones, the edges of int and long, huge counts. */
    static final long[] INTERESTING = {0, 1, 2, 3, -1, 0x7FFF_FFFFL, 0x8000_0000L, 0xFFFF_FFFFL, 0x1_0000_0000L, Long.MAX_VALUE,
        Long.MIN_VALUE, 1_000_000_000L, 1_000_000L, 1L << 40, 31, 33, 255, 256, 65536};

    private Bytes() {}

    static long interesting(Random random) {
        return INTERESTING[random.nextInt(INTERESTING.length)];
    }

    /** {@code count} random bits flipped, within the first {@code region} bytes. */
    static byte[] flip(byte[] data, Random random, int count, int region) {
        byte[] out = data.clone();
        for (int i = 0; i < count; i++) {
            int at = random.nextInt(Math.max(1, Math.min(region, out.length)));
            out[at] ^= (byte) (1 << random.nextInt(8));
        }
        return out;
    }

    static byte[] truncate(byte[] data, int length) {
        return Arrays.copyOf(data, Math.max(0, Math.min(length, data.length)));
    }

    /** A copy with the {@code width}-byte little-endian integer at {@code offset} set to {@code value}. */
    static byte[] put(byte[] data, int offset, int width, long value) {
        byte[] out = data.clone();
        for (int i = 0; i < width; i++) {
            out[offset + i] = (byte) (value >>> (8 * i));
        }
        return out;
    }

    /** {@code data} with bytes [from, to) replaced by {@code insert}. */
    static byte[] splice(byte[] data, int from, int to, byte[] insert) {
        byte[] out = new byte[data.length - (to - from) + insert.length];
        System.arraycopy(data, 0, out, 0, from);
        System.arraycopy(insert, 0, out, from, insert.length);
        System.arraycopy(data, to, out, from + insert.length, data.length - to);
        return out;
    }

    /** The bits of a non-finite value as {@code width} bytes hold it (f32, or f16 / bf16 for 2). */
    static long nonFinite(Random random, int width, boolean bfloat) {
        float value = switch (random.nextInt(3)) {
            case 0 -> Float.NaN;
            case 1 -> Float.POSITIVE_INFINITY;
            default -> Float.NEGATIVE_INFINITY;
        };
        if (width == 4) {
            return Float.floatToRawIntBits(value);
        }
        return bfloat ? Float.floatToRawIntBits(value) >>> 16 : Float.floatToFloat16(value);
    }
}
