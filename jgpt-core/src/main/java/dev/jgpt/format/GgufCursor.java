package dev.jgpt.format;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a GGUF header front to back, checking every read and every claimed length against the
 * bytes that remain, so a truncated or lying file is a {@link FormatException} saying what was
 * being read and where, never an out-of-bounds access or an oversized allocation.
 */
final class GgufCursor {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Arrays of arrays nest at most this deep. */
    private static final int MAX_DEPTH = 16;
    /** Java arrays cannot hold more; a metadata value this large is certainly corrupt. */
    private static final long MAX_BYTES = Integer.MAX_VALUE - 64;

    private final Path file;
    private final MemorySegment data;
    private long position;

    GgufCursor(Path file, MemorySegment data, long position) {
        this.file = file;
        this.data = data;
        this.position = position;
    }

    long position() {
        return position;
    }

    long remaining() {
        return data.byteSize() - position;
    }

    FormatException error(String problem) {
        return new FormatException(file, problem);
    }

    /** Fails unless {@code bytes} more bytes follow. */
    private void need(long bytes, String what) {
        if (bytes > remaining()) {
            throw error("truncated: " + what + " at byte " + position + " needs " + bytes + " bytes but the file ends at "
                    + data.byteSize());
        }
    }

    /** Fails unless {@code count} items of at least {@code minBytes} each can fit in what remains. */
    void checkCount(long count, long minBytes, String what) {
        if (count < 0 || count > remaining() / minBytes) {
            throw error(what + " is " + Long.toUnsignedString(count) + ", more than the " + remaining()
                    + " remaining bytes can hold (truncated or corrupt file)");
        }
    }

    int u8(String what) {
        need(1, what);
        return data.get(ValueLayout.JAVA_BYTE, position++) & 0xFF;
    }

    int u16(String what) {
        need(2, what);
        int v = data.get(U16, position) & 0xFFFF;
        position += 2;
        return v;
    }

    /** A u32 as Java's int (its bits); callers compare with {@link Integer#toUnsignedLong}. */
    int u32(String what) {
        need(4, what);
        int v = data.get(U32, position);
        position += 4;
        return v;
    }

    /** A u64 as Java's long (its bits). */
    long u64(String what) {
        need(8, what);
        long v = data.get(U64, position);
        position += 8;
        return v;
    }

    byte[] bytes(long n, String what) {
        if (n < 0 || n > remaining()) {
            throw error("truncated: " + what + " at byte " + position + " claims " + Long.toUnsignedString(n)
                    + " bytes but only " + remaining() + " remain");
        }
        if (n > MAX_BYTES) {
            throw error(what + " claims " + n + " bytes, more than jgpt reads into memory");
        }
        byte[] out = data.asSlice(position, n).toArray(ValueLayout.JAVA_BYTE);
        position += n;
        return out;
    }

    String string(String what) {
        long length = u64(what + " length");
        return new String(bytes(length, what), StandardCharsets.UTF_8);
    }

    /** A value of the type whose id comes first. */
    GgufValue typedValue(String what) {
        return value(type(u32(what + " type"), what), what, 0);
    }

    private GgufType type(int id, String what) {
        GgufType type = GgufType.ofId(id);
        if (type == null) {
            throw error(what + " has unknown value type id " + Integer.toUnsignedString(id) + " (known: 0 to 12)");
        }
        return type;
    }

    private GgufValue value(GgufType type, String what, int depth) {
        return switch (type) {
            case UINT8 -> GgufValue.u8(u8(what));
            case INT8 -> GgufValue.i8((byte) u8(what));
            case UINT16 -> GgufValue.u16(u16(what));
            case INT16 -> GgufValue.i16((short) u16(what));
            case UINT32 -> GgufValue.u32(Integer.toUnsignedLong(u32(what)));
            case INT32 -> GgufValue.i32(u32(what));
            case UINT64 -> GgufValue.u64(u64(what));
            case INT64 -> GgufValue.i64(u64(what));
            case FLOAT32 -> GgufValue.f32(Float.intBitsToFloat(u32(what)));
            case FLOAT64 -> GgufValue.f64(Double.longBitsToDouble(u64(what)));
            case BOOL -> GgufValue.bool(bool(u8(what), what));
            case STRING -> GgufValue.string(string(what));
            case ARRAY -> array(what, depth);
        };
    }

    private boolean bool(int b, String what) {
        if (b > 1) {
            throw error(what + " is a bool holding " + b + ", expected 0 or 1");
        }
        return b == 1;
    }

    private GgufArray array(String what, int depth) {
        if (depth >= MAX_DEPTH) {
            throw error(what + " nests arrays deeper than " + MAX_DEPTH);
        }
        GgufType elementType = type(u32(what + " element type"), what + " element");
        long count = u64(what + " length");
        // a string takes at least its length, a nested array its element type and length
        long minBytes = switch (elementType) {
            case STRING -> 8;
            case ARRAY -> 12;
            default -> elementType.fixedBytes();
        };
        checkCount(count, minBytes, what + " length");
        if (count > MAX_BYTES / 8) {
            throw error(what + " has " + count + " elements, more than a metadata array can hold");
        }
        return switch (elementType) {
            case STRING -> strings(count, what);
            case ARRAY -> {
                List<GgufArray> arrays = new ArrayList<>();
                for (long i = 0; i < count; i++) {
                    arrays.add(array(what + "[" + i + "]", depth + 1));
                }
                yield GgufArray.ofArrays(arrays);
            }
            default -> {
                byte[] bytes = bytes(count * elementType.fixedBytes(), what);
                if (elementType == GgufType.BOOL) {
                    for (byte b : bytes) {
                        bool(b & 0xFF, what + " element");
                    }
                }
                yield GgufArray.ofFixed(elementType, (int) count, bytes);
            }
        };
    }

    /** A string array: the length prefixes are walked once to find each string, then copied as they lie. */
    private GgufArray strings(long count, String what) {
        long begin = position;
        int[] starts = new int[(int) count + 1];
        for (int i = 0; i < count; i++) {
            long offset = position - begin;
            if (offset > MAX_BYTES) {
                throw error(what + " is larger than " + MAX_BYTES + " bytes");
            }
            starts[i] = (int) offset;
            if (remaining() < 8) {
                throw error("truncated: " + what + "[" + i + "] length at byte " + position + " needs 8 bytes but the file ends at "
                        + data.byteSize());
            }
            long length = u64(what); // no per-element label: vocabularies hold 100k+ strings
            if (length < 0 || length > remaining()) {
                throw error("truncated: " + what + "[" + i + "] at byte " + position + " claims "
                        + Long.toUnsignedString(length) + " bytes but only " + remaining() + " remain");
            }
            position += length;
        }
        long total = position - begin;
        position = begin;
        byte[] bytes = bytes(total, what);
        starts[(int) count] = bytes.length;
        return GgufArray.ofEncodedStrings((int) count, bytes, starts);
    }
}
