package dev.jgpt.format;

import dev.jgpt.tensor.DType;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;

/** The GGML tensor types jgpt reads and writes, with the type id a GGUF tensor info stores. */
public enum GgmlType {
    F32(0, DType.F32),
    F16(1, DType.F16),
    Q4_0(2, DType.Q4_0),
    Q4_1(3, DType.Q4_1),
    Q5_0(6, DType.Q5_0),
    Q5_1(7, DType.Q5_1),
    Q8_0(8, DType.Q8_0),
    Q2_K(10, DType.Q2_K),
    Q3_K(11, DType.Q3_K),
    Q4_K(12, DType.Q4_K),
    Q5_K(13, DType.Q5_K),
    Q6_K(14, DType.Q6_K),
    IQ4_NL(20, DType.IQ4_NL),
    IQ4_XS(23, DType.IQ4_XS),
    BF16(30, DType.BF16);

    /** GGML types that exist but that jgpt does not read, named in error messages. */
    private static final Map<Integer, String> UNSUPPORTED = Map.ofEntries(
            Map.entry(9, "Q8_1"), Map.entry(15, "Q8_K"),
            Map.entry(16, "IQ2_XXS"), Map.entry(17, "IQ2_XS"), Map.entry(18, "IQ3_XXS"), Map.entry(19, "IQ1_S"),
            Map.entry(21, "IQ3_S"), Map.entry(22, "IQ2_S"),
            Map.entry(24, "I8"), Map.entry(25, "I16"), Map.entry(26, "I32"), Map.entry(27, "I64"),
            Map.entry(28, "F64"), Map.entry(29, "IQ1_M"), Map.entry(34, "TQ1_0"), Map.entry(35, "TQ2_0"),
            Map.entry(39, "MXFP4"));

    private final int id;
    private final DType dtype;

    GgmlType(int id, DType dtype) {
        this.id = id;
        this.dtype = dtype;
    }

    public int id() {
        return id;
    }

    public DType dtype() {
        return dtype;
    }

    /** The type with GGML id {@code id}, or null if jgpt does not read it. */
    public static GgmlType ofId(int id) {
        for (GgmlType t : values()) {
            if (t.id == id) {
                return t;
            }
        }
        return null;
    }

    /** The GGML type storing {@code dtype} (every {@link DType} has one). */
    public static GgmlType of(DType dtype) {
        for (GgmlType t : values()) {
            if (t.dtype == dtype) {
                return t;
            }
        }
        throw new IllegalArgumentException("no GGML type for " + dtype);
    }

    /** Why id {@code id} cannot be read, for an error message: an unsupported known type or an unknown id. */
    static String describeUnreadable(int id) {
        String supported = Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));
        String known = UNSUPPORTED.get(id);
        return (known != null ? "type " + known + " (id " + id + "), which jgpt does not read"
                : "unknown ggml type id " + Integer.toUnsignedString(id)) + " (supported: " + supported + ")";
    }
}
