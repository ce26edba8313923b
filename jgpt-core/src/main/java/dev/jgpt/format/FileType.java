package dev.jgpt.format;

import dev.jgpt.tensor.DType;
import java.util.Locale;

/**
 * llama.cpp's file types: what {@code general.file_type} holds and what llama-quantize is asked
 * for by name. Each has a base block type for the weight matrices; the K mixes (…_S, …_M, …_L
 * and Q2_K), IQ4_NL and IQ4_XS give some matrices more bits than the base
 * ({@code dev.jgpt.convert.QuantizationMix}).
 */
public enum FileType {
    F32(0, DType.F32),
    F16(1, DType.F16),
    Q4_0(2, DType.Q4_0),
    Q4_1(3, DType.Q4_1),
    Q8_0(7, DType.Q8_0),
    Q5_0(8, DType.Q5_0),
    Q5_1(9, DType.Q5_1),
    Q2_K(10, DType.Q2_K),
    Q3_K_S(11, DType.Q3_K),
    Q3_K_M(12, DType.Q3_K),
    Q3_K_L(13, DType.Q3_K),
    Q4_K_S(14, DType.Q4_K),
    Q4_K_M(15, DType.Q4_K),
    Q5_K_S(16, DType.Q5_K),
    Q5_K_M(17, DType.Q5_K),
    Q6_K(18, DType.Q6_K),
    IQ4_NL(25, DType.IQ4_NL),
    IQ4_XS(30, DType.IQ4_XS),
    BF16(32, DType.BF16);

    private final int id;
    private final DType base;

    FileType(int id, DType base) {
        this.id = id;
        this.base = base;
    }

    /** The value of {@code general.file_type}. */
    public int id() {
        return id;
    }

    /** The block type of the matrices that no rule gives another. */
    public DType base() {
        return base;
    }

    /**
     * The file type a model whose matrices are all of {@code type} is labelled with: for a K
     * type its _S mix (the one closest to a single type), as llama.cpp labels such files.
     */
    public static FileType of(DType type) {
        return switch (type) {
            case F32 -> F32;
            case F16 -> F16;
            case BF16 -> BF16;
            case Q8_0 -> Q8_0;
            case Q4_0 -> Q4_0;
            case Q4_1 -> Q4_1;
            case Q5_0 -> Q5_0;
            case Q5_1 -> Q5_1;
            case Q2_K -> Q2_K;
            case Q3_K -> Q3_K_S;
            case Q4_K -> Q4_K_S;
            case Q5_K -> Q5_K_S;
            case Q6_K -> Q6_K;
            case IQ4_NL -> IQ4_NL;
            case IQ4_XS -> IQ4_XS;
        };
    }

    /**
     * The file type llama-quantize calls {@code name} (any case), with its aliases: Q3_K, Q4_K
     * and Q5_K are the _M mixes; null when there is none.
     */
    public static FileType byName(String name) {
        String upper = name.strip().toUpperCase(Locale.ROOT);
        return switch (upper) {
            case "Q3_K" -> Q3_K_M;
            case "Q4_K" -> Q4_K_M;
            case "Q5_K" -> Q5_K_M;
            default -> {
                for (FileType t : values()) {
                    if (t.name().equals(upper)) {
                        yield t;
                    }
                }
                yield null;
            }
        };
    }
}
