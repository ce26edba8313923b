package dev.jgpt.format;

/** The type of a GGUF metadata value, with the id the file stores for it. */
public enum GgufType {
    UINT8(0, 1, "u8"),
    INT8(1, 1, "i8"),
    UINT16(2, 2, "u16"),
    INT16(3, 2, "i16"),
    UINT32(4, 4, "u32"),
    INT32(5, 4, "i32"),
    FLOAT32(6, 4, "f32"),
    BOOL(7, 1, "bool"),
    STRING(8, 0, "string"),
    ARRAY(9, 0, "array"),
    UINT64(10, 8, "u64"),
    INT64(11, 8, "i64"),
    FLOAT64(12, 8, "f64");

    private static final GgufType[] BY_ID = values();

    private final int id;
    private final int fixedBytes;
    private final String label;

    GgufType(int id, int fixedBytes, String label) {
        this.id = id;
        this.fixedBytes = fixedBytes;
        this.label = label;
    }

    public int id() {
        return id;
    }

    /** Bytes one value takes in the file; 0 for strings and arrays, whose size is in the data. */
    public int fixedBytes() {
        return fixedBytes;
    }

    /** The short name used in messages: u8, i32, f32, string, ... */
    public String label() {
        return label;
    }

    public boolean isInteger() {
        return switch (this) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> true;
            default -> false;
        };
    }

    public boolean isFloat() {
        return this == FLOAT32 || this == FLOAT64;
    }

    /** The type with file id {@code id}, or null if there is none. */
    public static GgufType ofId(int id) {
        return id >= 0 && id < BY_ID.length ? BY_ID[id] : null;
    }
}
