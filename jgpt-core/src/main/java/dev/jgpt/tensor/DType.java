package dev.jgpt.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Element types a weight can be stored in. Plain types hold one value per element; quantized
 * types (GGML's block formats) hold {@link #blockSize()} values in {@link #blockBytes()} bytes:
 * small integers plus one or two scales per block (K-quants: 256-value super-blocks).
 */
public enum DType {
    F32(1, 4),
    F16(1, 2),
    BF16(1, 2),
    /** 32 values: f16 scale d, 32 × int8. value = d·q */
    Q8_0(32, 34),
    /** 32 values: f16 d, 16 bytes of nibbles. value = d·(q − 8) */
    Q4_0(32, 18),
    /** 32 values: f16 d, f16 m, 16 bytes of nibbles. value = d·q + m */
    Q4_1(32, 20),
    /** 32 values: f16 d, 4 bytes of fifth bits, 16 bytes of nibbles. value = d·(q − 16) */
    Q5_0(32, 22),
    /** 32 values: f16 d, f16 m, 4 bytes of fifth bits, 16 bytes of nibbles. value = d·q + m */
    Q5_1(32, 24),
    /** 256 values: 16 bytes of 4-bit sub-block scales and mins, 64 bytes of 2-bit quants, f16 d, f16 dmin. */
    Q2_K(256, 84),
    /** 256 values: 32 bytes of third bits, 64 bytes of 2-bit quants, 12 bytes of 6-bit sub-block scales, f16 d. */
    Q3_K(256, 110),
    /** 256 values: f16 d, f16 dmin, 12 bytes of 6-bit sub-block scales/mins, 128 bytes of nibbles. */
    Q4_K(256, 144),
    /** 256 values: f16 d, f16 dmin, 12 bytes of scales/mins, 32 bytes of fifth bits, 128 bytes of nibbles. */
    Q5_K(256, 176),
    /** 256 values: 128 bytes low nibbles, 64 bytes high 2 bits, 16 int8 sub-block scales, f16 d. */
    Q6_K(256, 210),
    /** 32 values: f16 d, 16 bytes of nibbles, each an index into a fixed non-linear grid of 16 levels. value = d·grid[q] */
    IQ4_NL(32, 18),
    /** 256 values: f16 d, 16 bits of scale top bits, 4 bytes of scale low nibbles, 128 bytes of grid indices (32 per 6-bit scale). */
    IQ4_XS(256, 136);

    private final int blockSize;
    private final int blockBytes;

    DType(int blockSize, int blockBytes) {
        this.blockSize = blockSize;
        this.blockBytes = blockBytes;
    }

    /** Values per block: 1 for plain types. */
    public int blockSize() {
        return blockSize;
    }

    /** Bytes per block. */
    public int blockBytes() {
        return blockBytes;
    }

    public boolean isQuantized() {
        return blockSize > 1;
    }

    /** Bytes per element of a plain type; a quantized type has no whole number and throws. */
    public int bytes() {
        if (isQuantized()) {
            throw new IllegalStateException(this + " stores " + blockSize + " values per " + blockBytes + "-byte block");
        }
        return blockBytes;
    }

    /** Bytes that {@code elements} values take; for a quantized type, a whole number of blocks. */
    public long byteSize(long elements) {
        if (elements % blockSize != 0) {
            throw new IllegalArgumentException(elements + " values are not a whole number of " + this
                    + " blocks of " + blockSize);
        }
        return Math.multiplyExact(elements / blockSize, (long) blockBytes);
    }

    /** The dtype named as safetensors names it ("F32", "F16", "BF16"), or null if unsupported. */
    public static DType fromSafeTensorsName(String name) {
        return switch (name) {
            case "F32" -> F32;
            case "F16" -> F16;
            case "BF16" -> BF16;
            default -> null;
        };
    }

    /**
     * Reads element {@code index} of a little-endian segment of this dtype as a float; for a
     * quantized type, the value its block decodes to (rows are faster through {@link #decode}).
     */
    public float read(MemorySegment data, long index) {
        return switch (this) {
            case F32 -> data.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, index);
            case F16 -> Float.float16ToFloat(data.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, index));
            case BF16 -> Float.intBitsToFloat(data.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, index) << 16);
            default -> Quantization.value(this, data, index / blockSize * blockBytes, (int) (index % blockSize));
        };
    }

    /**
     * {@code dst[dstOffset, +n) =} elements {@code [firstIndex, firstIndex + n)} of a segment of
     * this dtype, as floats (e.g. one row of an embedding table). For a quantized type,
     * {@code firstIndex} and {@code n} are whole numbers of blocks.
     */
    public void decode(MemorySegment data, long firstIndex, float[] dst, int dstOffset, int n) {
        if (firstIndex % blockSize != 0) {
            throw new IllegalArgumentException("element " + firstIndex + " does not start a " + this + " block of " + blockSize);
        }
        Kernels.convert(data, this, firstIndex, dst, dstOffset, n); // plain types: no slice allocated per row
    }

    /**
     * Writes {@code value} as element {@code index}, rounding to nearest even for 16-bit types.
     * Quantized types are written a row at a time ({@link Quantization#quantizeRow}).
     */
    public void write(MemorySegment data, long index, float value) {
        switch (this) {
            case F32 -> data.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, index, value);
            case F16 -> data.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, index, Float.floatToFloat16(value));
            case BF16 -> data.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, index, toBFloat16(value));
            default -> throw new UnsupportedOperationException("writing single " + this + " values: quantize whole blocks");
        }
    }

    /** The bfloat16 nearest to {@code value} (ties to even; NaN stays NaN). */
    public static short toBFloat16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int rounding = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }
}
