package dev.jgpt.format;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A GGUF array value: {@link #size()} elements of one {@link #elementType()}. Elements are
 * kept as the file stores them (little-endian; strings as a u64 length then UTF-8 bytes) on
 * the heap, independent of any mapping, and decoded when asked: a 150k-token vocabulary
 * costs one copy at load, and its strings are built only by whoever reads them.
 */
public final class GgufArray implements GgufValue {
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final int SHOWN = 6;

    private final GgufType elementType;
    private final int size;
    /** Fixed-size elements back to back, or length-prefixed strings; null for an array of arrays. */
    private final byte[] bytes;
    /** For strings: where string i's length prefix starts; entry {@code size} is {@code bytes.length}. */
    private final int[] stringStarts;
    /** For an array of arrays: the elements. */
    private final List<GgufArray> arrays;

    private GgufArray(GgufType elementType, int size, byte[] bytes, int[] stringStarts, List<GgufArray> arrays) {
        this.elementType = elementType;
        this.size = size;
        this.bytes = bytes;
        this.stringStarts = stringStarts;
        this.arrays = arrays;
    }

    /** Elements of a fixed-size type, {@code bytes} holding them back to back as a file does. */
    static GgufArray ofFixed(GgufType elementType, int size, byte[] bytes) {
        if (elementType.fixedBytes() == 0 || (long) size * elementType.fixedBytes() != bytes.length) {
            throw new IllegalArgumentException(size + " " + elementType.label() + " values in " + bytes.length + " bytes");
        }
        return new GgufArray(elementType, size, bytes, null, null);
    }

    /** Strings laid out as a file does, {@code starts} as described at {@link #stringStarts}. */
    static GgufArray ofEncodedStrings(int size, byte[] bytes, int[] starts) {
        return new GgufArray(GgufType.STRING, size, bytes, starts, null);
    }

    public static GgufArray ofStrings(List<String> values) {
        byte[][] encoded = new byte[values.size()][];
        long total = 0;
        for (int i = 0; i < encoded.length; i++) {
            encoded[i] = values.get(i).getBytes(StandardCharsets.UTF_8);
            total += 8 + encoded[i].length;
        }
        byte[] bytes = new byte[Math.toIntExact(total)];
        int[] starts = new int[encoded.length + 1];
        int at = 0;
        for (int i = 0; i < encoded.length; i++) {
            starts[i] = at;
            LONG.set(bytes, at, (long) encoded[i].length);
            System.arraycopy(encoded[i], 0, bytes, at + 8, encoded[i].length);
            at += 8 + encoded[i].length;
        }
        starts[encoded.length] = at;
        return ofEncodedStrings(encoded.length, bytes, starts);
    }

    public static GgufArray ofFloats(float[] values) {
        byte[] bytes = new byte[Math.multiplyExact(values.length, 4)];
        for (int i = 0; i < values.length; i++) {
            INT.set(bytes, i * 4, Float.floatToRawIntBits(values[i]));
        }
        return ofFixed(GgufType.FLOAT32, values.length, bytes);
    }

    public static GgufArray ofDoubles(double[] values) {
        byte[] bytes = new byte[Math.multiplyExact(values.length, 8)];
        for (int i = 0; i < values.length; i++) {
            LONG.set(bytes, i * 8, Double.doubleToRawLongBits(values[i]));
        }
        return ofFixed(GgufType.FLOAT64, values.length, bytes);
    }

    /** Integers stored as {@code elementType}; each must fit it (see {@link GgufValue.IntValue}). */
    public static GgufArray ofIntegers(GgufType elementType, long... values) {
        int width = elementType.fixedBytes();
        byte[] bytes = new byte[Math.multiplyExact(values.length, width)];
        for (int i = 0; i < values.length; i++) {
            long v = new IntValue(elementType, values[i]).value();
            switch (width) {
                case 1 -> bytes[i] = (byte) v;
                case 2 -> SHORT.set(bytes, i * 2, (short) v);
                case 4 -> INT.set(bytes, i * 4, (int) v);
                default -> LONG.set(bytes, i * 8, v);
            }
        }
        return ofFixed(elementType, values.length, bytes);
    }

    public static GgufArray ofInt32(int... values) {
        return ofIntegers(GgufType.INT32, Arrays.stream(values).asLongStream().toArray());
    }

    public static GgufArray ofBools(boolean... values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) (values[i] ? 1 : 0);
        }
        return ofFixed(GgufType.BOOL, values.length, bytes);
    }

    /** An array whose elements are arrays (each with its own element type). */
    public static GgufArray ofArrays(List<GgufArray> values) {
        return new GgufArray(GgufType.ARRAY, values.size(), null, null, List.copyOf(values));
    }

    @Override
    public GgufType type() {
        return GgufType.ARRAY;
    }

    public GgufType elementType() {
        return elementType;
    }

    public int size() {
        return size;
    }

    /** Element {@code i} of an integer array, sign- or zero-extended (a u64 keeps its raw bits). */
    public long longAt(int i) {
        Objects.checkIndex(i, size);
        return switch (elementType) {
            case UINT8 -> bytes[i] & 0xFFL;
            case INT8 -> bytes[i];
            case UINT16 -> (short) SHORT.get(bytes, i * 2) & 0xFFFFL;
            case INT16 -> (short) SHORT.get(bytes, i * 2);
            case UINT32 -> (int) INT.get(bytes, i * 4) & 0xFFFF_FFFFL;
            case INT32 -> (int) INT.get(bytes, i * 4);
            case UINT64, INT64 -> (long) LONG.get(bytes, i * 8);
            default -> throw wrongType("an integer");
        };
    }

    /** Element {@code i} of an f32 or f64 array. */
    public double doubleAt(int i) {
        Objects.checkIndex(i, size);
        return switch (elementType) {
            case FLOAT32 -> Float.intBitsToFloat((int) INT.get(bytes, i * 4));
            case FLOAT64 -> Double.longBitsToDouble((long) LONG.get(bytes, i * 8));
            default -> throw wrongType("a float");
        };
    }

    public boolean booleanAt(int i) {
        Objects.checkIndex(i, size);
        if (elementType != GgufType.BOOL) {
            throw wrongType("a bool");
        }
        return bytes[i] != 0;
    }

    public String stringAt(int i) {
        Objects.checkIndex(i, size);
        if (elementType != GgufType.STRING) {
            throw wrongType("a string");
        }
        int begin = stringStarts[i] + 8;
        return new String(bytes, begin, stringStarts[i + 1] - begin, StandardCharsets.UTF_8);
    }

    public GgufArray arrayAt(int i) {
        Objects.checkIndex(i, size);
        if (elementType != GgufType.ARRAY) {
            throw wrongType("an array");
        }
        return arrays.get(i);
    }

    /** Element {@code i} as a value of its own. */
    public GgufValue get(int i) {
        return switch (elementType) {
            case FLOAT32, FLOAT64 -> new FloatValue(elementType, doubleAt(i));
            case BOOL -> new BoolValue(booleanAt(i));
            case STRING -> new StringValue(stringAt(i));
            case ARRAY -> arrayAt(i);
            default -> new IntValue(elementType, longAt(i));
        };
    }

    /** All elements of a string array, decoded (a new list on each call). */
    public List<String> strings() {
        String[] out = new String[size];
        for (int i = 0; i < size; i++) {
            out[i] = stringAt(i);
        }
        return Arrays.asList(out);
    }

    /** The file's encoding of the elements (null for an array of arrays): for the writer. */
    byte[] encoded() {
        return bytes;
    }

    /** The elements of an array of arrays. */
    List<GgufArray> arrays() {
        if (elementType != GgufType.ARRAY) {
            throw wrongType("an array");
        }
        return arrays;
    }

    private IllegalStateException wrongType(String expected) {
        return new IllegalStateException("array of " + elementType.label() + ", not of " + expected);
    }

    @Override
    public String display() {
        List<String> shown = new ArrayList<>();
        for (int i = 0; i < Math.min(size, SHOWN); i++) {
            shown.add(get(i).display());
        }
        String more = size > SHOWN ? ", ..." : "";
        return "[" + elementType.label() + " x " + size + (size > 0 ? ": " : "") + String.join(", ", shown) + more + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GgufArray a && a.elementType == elementType && a.size == size
                && Arrays.equals(a.bytes, bytes) && Objects.equals(a.arrays, arrays);
    }

    @Override
    public int hashCode() {
        return Objects.hash(elementType, size, Arrays.hashCode(bytes), arrays);
    }

    @Override
    public String toString() {
        return display();
    }
}
