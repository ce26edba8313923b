package dev.jgpt.format;

/**
 * One GGUF metadata value: an integer of one of the eight integer types, a float (f32 or f64),
 * a bool, a UTF-8 string, or an array ({@link GgufArray}).
 */
public sealed interface GgufValue permits GgufValue.IntValue, GgufValue.FloatValue, GgufValue.BoolValue,
        GgufValue.StringValue, GgufArray {

    GgufType type();

    /** A short readable form for listings; long arrays show their first elements only. */
    String display();

    /**
     * An integer value. {@code value} holds it sign- or zero-extended; a u64 above
     * {@link Long#MAX_VALUE} keeps its raw bits (negative as a long, see {@link #fitsLong()}).
     */
    record IntValue(GgufType type, long value) implements GgufValue {
        public IntValue {
            if (!type.isInteger()) {
                throw new IllegalArgumentException(type + " is not an integer type");
            }
            long min = switch (type) {
                case INT8 -> Byte.MIN_VALUE;
                case INT16 -> Short.MIN_VALUE;
                case INT32 -> Integer.MIN_VALUE;
                case INT64, UINT64 -> Long.MIN_VALUE;
                default -> 0;
            };
            long max = switch (type) {
                case UINT8 -> 0xFFL;
                case INT8 -> Byte.MAX_VALUE;
                case UINT16 -> 0xFFFFL;
                case INT16 -> Short.MAX_VALUE;
                case UINT32 -> 0xFFFF_FFFFL;
                case INT32 -> Integer.MAX_VALUE;
                default -> Long.MAX_VALUE;
            };
            if (value < min || value > max) {
                throw new IllegalArgumentException(value + " does not fit " + type.label());
            }
        }

        public boolean fitsLong() {
            return type != GgufType.UINT64 || value >= 0;
        }

        public boolean fitsInt() {
            return fitsLong() && value == (int) value;
        }

        @Override
        public String display() {
            return type == GgufType.UINT64 ? Long.toUnsignedString(value) : Long.toString(value);
        }
    }

    /** An f32 or f64 value (an f32 is held exactly as a double). */
    record FloatValue(GgufType type, double value) implements GgufValue {
        public FloatValue {
            if (!type.isFloat()) {
                throw new IllegalArgumentException(type + " is not a float type");
            }
        }

        @Override
        public String display() {
            return type == GgufType.FLOAT32 ? Float.toString((float) value) : Double.toString(value);
        }
    }

    record BoolValue(boolean value) implements GgufValue {
        @Override
        public GgufType type() {
            return GgufType.BOOL;
        }

        @Override
        public String display() {
            return Boolean.toString(value);
        }
    }

    record StringValue(String value) implements GgufValue {
        @Override
        public GgufType type() {
            return GgufType.STRING;
        }

        @Override
        public String display() {
            return quote(value);
        }
    }

    static IntValue u8(int value) {
        return new IntValue(GgufType.UINT8, value);
    }

    static IntValue i8(int value) {
        return new IntValue(GgufType.INT8, value);
    }

    static IntValue u16(int value) {
        return new IntValue(GgufType.UINT16, value);
    }

    static IntValue i16(int value) {
        return new IntValue(GgufType.INT16, value);
    }

    static IntValue u32(long value) {
        return new IntValue(GgufType.UINT32, value);
    }

    static IntValue i32(int value) {
        return new IntValue(GgufType.INT32, value);
    }

    /** A u64; values above {@link Long#MAX_VALUE} are passed as their raw bits. */
    static IntValue u64(long value) {
        return new IntValue(GgufType.UINT64, value);
    }

    static IntValue i64(long value) {
        return new IntValue(GgufType.INT64, value);
    }

    static FloatValue f32(float value) {
        return new FloatValue(GgufType.FLOAT32, value);
    }

    static FloatValue f64(double value) {
        return new FloatValue(GgufType.FLOAT64, value);
    }

    static BoolValue bool(boolean value) {
        return new BoolValue(value);
    }

    static StringValue string(String value) {
        return new StringValue(value);
    }

    /** {@code text} in double quotes with control characters, quotes and backslashes escaped. */
    static String quote(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\r' -> out.append("\\r");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
