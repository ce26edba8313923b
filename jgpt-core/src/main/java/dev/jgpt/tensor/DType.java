package dev.jgpt.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Element types a weight can be stored in. */
public enum DType {
    F32(4),
    F16(2),
    BF16(2);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
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

    /** Reads element {@code index} of a little-endian segment of this dtype as a float. */
    public float read(MemorySegment data, long index) {
        return switch (this) {
            case F32 -> data.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, index);
            case F16 -> Float.float16ToFloat(data.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, index));
            case BF16 -> Float.intBitsToFloat(data.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, index) << 16);
        };
    }

    /** Writes {@code value} as element {@code index}, rounding to nearest even for 16-bit types. */
    public void write(MemorySegment data, long index, float value) {
        switch (this) {
            case F32 -> data.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, index, value);
            case F16 -> data.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, index, Float.floatToFloat16(value));
            case BF16 -> data.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, index, toBFloat16(value));
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
