package dev.jgpt.convert;

import static dev.jgpt.format.GgufNames.ArchKey.BLOCK_COUNT;
import static dev.jgpt.format.GgufNames.ArchKey.HEAD_COUNT;
import static dev.jgpt.format.GgufNames.ArchKey.HEAD_COUNT_KV;

import dev.jgpt.format.FileType;
import dev.jgpt.format.GgufNames;
import dev.jgpt.format.GgufValue;
import dev.jgpt.model.ModelConfig;
import dev.jgpt.tensor.DType;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The type each tensor of a model gets when the model is written as a llama.cpp file type, by
 * llama-quantize's rules (its {@code llama_tensor_get_type} without an importance matrix, for
 * models without experts):
 *
 * <ul>
 * <li>only weight matrices are quantized; vectors, norms and the position embedding stay F32;</li>
 * <li>the output matrix, or the token embedding of a model that reuses it as the output, gets
 *     Q6_K (Q8_0 in a Q8_0 file), whatever the mix;</li>
 * <li>the K mixes give some matrices more bits than the base type: attn_v and ffn_down in the
 *     first and last eighths of the layers and every third layer between ({@link #moreBits}),
 *     attn_v more when few query heads share a key/value head, attn_output and attn_qkv by mix;
 *     IQ4_NL and IQ4_XS give attn_v Q5_K when four or more query heads share a key/value head,
 *     and ffn_down Q5_K in the first eighth of the layers;</li>
 * <li>a matrix whose rows are not whole blocks of its type falls back to one whose are (Q2_K and
 *     Q3_K → Q4_0, Q4_K → Q5_0, Q5_K → Q5_1, Q6_K → Q8_0, IQ4_XS → IQ4_NL), else to F16.</li>
 * </ul>
 *
 * A pure mix (llama-quantize {@code --pure}) gives every matrix the base type, with the same fallbacks.
 */
public final class QuantizationMix {
    /** What the rules look at besides the tensors: the architecture's name, its layers and (key/value) heads. */
    public record Shape(String architecture, int layers, int heads, int kvHeads) {
        public static Shape of(ModelConfig config) {
            return new Shape(config.architecture().name(), config.layers(), config.heads(), config.kvHeads());
        }

        /** From a GGUF file's metadata: {@code <arch>.block_count}, {@code .attention.head_count(_kv)}; 0 where absent. */
        public static Shape of(Map<String, GgufValue> metadata) {
            String arch = metadata.get(GgufNames.ARCHITECTURE) instanceof GgufValue.StringValue s ? s.value() : "";
            int heads = intOr(metadata.get(HEAD_COUNT.of(arch)), 0);
            return new Shape(arch, intOr(metadata.get(BLOCK_COUNT.of(arch)), 0), heads,
                    intOr(metadata.get(HEAD_COUNT_KV.of(arch)), heads));
        }

        private static int intOr(GgufValue value, int otherwise) {
            return value instanceof GgufValue.IntValue i && i.fitsInt() ? (int) i.value() : otherwise;
        }

        /** Query heads per key/value head (0 without key/value heads), as llama.cpp's n_gqa. */
        int queryHeadsPerKv() {
            return kvHeads == 0 ? 0 : heads / kvHeads;
        }

        /** Llama 2's and 3's 70B shape: an 8-way shared attn_v is small, so it gets more bits. */
        boolean isLlama70B() {
            return architecture.equals("llama") && layers == 80 && heads != kvHeads;
        }

        boolean isFalcon() {
            return architecture.equals("falcon");
        }
    }

    /** A tensor's type, and the type the rules chose before its rows forced a fallback (the same when none did). */
    public record Choice(DType type, DType wanted) {
        public boolean fallback() {
            return type != wanted;
        }
    }

    private final FileType fileType;
    private final boolean pure;

    private QuantizationMix(FileType fileType, boolean pure) {
        this.fileType = fileType;
        this.pure = pure;
    }

    /** llama-quantize's rules for {@code fileType}. */
    public static QuantizationMix of(FileType fileType) {
        return new QuantizationMix(fileType, false);
    }

    /** Every matrix of {@code fileType}'s base type (llama-quantize {@code --pure}). */
    public static QuantizationMix pure(FileType fileType) {
        return new QuantizationMix(fileType, true);
    }

    /** Every matrix of {@code type}, in a file labelled as {@link FileType#of} says. */
    public static QuantizationMix pure(DType type) {
        return pure(FileType.of(type));
    }

    public FileType fileType() {
        return fileType;
    }

    public boolean isPure() {
        return pure;
    }

    /**
     * The type of each tensor: {@code names.get(i)}, of row-major {@code shapes.get(i)} (rows
     * last), in the order given. Rules that count layers (attn_v's) see the tensors in
     * llama.cpp's order: by layer, then by name.
     */
    public List<Choice> choose(Shape model, List<String> names, List<long[]> shapes) {
        Choice[] choices = new Choice[names.size()];
        Counters counters = new Counters(names);
        Integer[] order = IntStream.range(0, names.size()).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingInt((Integer i) -> layerOf(names.get(i))).thenComparing(names::get));
        for (int i : order) {
            choices[i] = choose(model, names.get(i), shapes.get(i), counters);
        }
        return List.of(choices);
    }

    private Choice choose(Shape model, String name, long[] shape, Counters counters) {
        if (!isQuantizable(name, shape)) {
            return new Choice(DType.F32, DType.F32);
        }
        DType base = fileType.base();
        if (!base.isQuantized()) {
            return new Choice(base, base);
        }
        DType wanted = pure ? base : ruleType(model, name, counters);
        return new Choice(fallback(wanted, shape[shape.length - 1]), wanted);
    }

    /** llama-quantize's list of what it leaves as it is, for the tensors of the families jgpt knows. */
    private static boolean isQuantizable(String name, long[] shape) {
        return shape.length >= 2 && name.endsWith("weight") && !name.contains("_norm.weight")
                && !name.equals(GgufNames.POSITION_EMBD + ".weight") && !name.equals("token_types.weight")
                && !name.contains("ffn_gate_inp.weight") && !name.contains("attn_rel_b.weight");
    }

    /** Counts of attn_v-like tensors and where the walk through the layers is. */
    private static final class Counters {
        final int attentionV;
        final boolean hasOutput;
        int attentionVSeen;
        int ffnDownSeen;

        Counters(List<String> names) {
            attentionV = (int) names.stream()
                    .filter(n -> n.contains("attn_v.weight") || n.contains("attn_qkv.weight") || n.contains("attn_kv_b.weight"))
                    .count();
            hasOutput = names.contains(GgufNames.OUTPUT + ".weight");
        }
    }

    /** The type the mix gives a quantizable tensor whose rows fit every type (llama_tensor_get_type's branches for the K mixes). */
    private DType ruleType(Shape model, String name, Counters c) {
        DType type = fileType.base();
        boolean falcon = model.isFalcon();
        if (name.equals(GgufNames.OUTPUT + ".weight") || (!c.hasOutput && name.equals(GgufNames.TOKEN_EMBD + ".weight"))) {
            // llama-quantize takes Q8_0 at once when the rows are not whole blocks of the base type; the fallback lands there too
            return falcon || type == DType.Q8_0 ? DType.Q8_0 : DType.Q6_K;
        }
        if (name.contains("attn_v.weight")) {
            int i = c.attentionVSeen++;
            type = switch (fileType) {
                case Q2_K -> model.queryHeadsPerKv() >= 4 ? DType.Q4_K : DType.Q3_K;
                case Q3_K_M -> i < 2 ? DType.Q5_K : DType.Q4_K;
                case Q3_K_L -> DType.Q5_K;
                case Q4_K_M, Q5_K_M -> moreBits(i, c.attentionV) ? DType.Q6_K : type;
                case Q4_K_S -> i < 4 ? DType.Q5_K : type;
                case IQ4_NL, IQ4_XS -> model.queryHeadsPerKv() >= 4 ? DType.Q5_K : type;
                default -> type;
            };
            return model.isLlama70B() && (type == DType.Q3_K || type == DType.Q4_K) ? DType.Q5_K : type;
        }
        if (name.contains("ffn_down")) {
            int i = c.ffnDownSeen++;
            int n = model.layers();
            return switch (fileType) {
                case Q2_K -> DType.Q3_K;
                case Q3_K_M -> i < n / 16 ? DType.Q5_K : !falcon || moreBits(i, n) ? DType.Q4_K : DType.Q3_K;
                case Q3_K_L -> falcon ? DType.Q4_K : DType.Q5_K;
                case Q4_K_M -> falcon ? (i < n / 16 ? DType.Q6_K : moreBits(i, n) ? DType.Q5_K : DType.Q4_K)
                        : moreBits(i, n) ? DType.Q6_K : type;
                case Q5_K_M -> moreBits(i, n) ? DType.Q6_K : type;
                case Q4_K_S -> !falcon && i < n / 8 ? DType.Q5_K : type;
                case IQ4_NL, IQ4_XS -> i < n / 8 ? DType.Q5_K : type;
                default -> type;
            };
        }
        if (name.contains("attn_output.weight")) {
            return switch (fileType) {
                case Q2_K -> falcon ? type : DType.Q3_K;
                case Q3_K_M -> falcon ? type : DType.Q4_K;
                case Q3_K_L -> falcon ? DType.Q4_K : DType.Q5_K;
                default -> type;
            };
        }
        if (name.contains("attn_qkv.weight")) {
            return switch (fileType) {
                case Q3_K_M, Q3_K_L -> DType.Q4_K;
                case Q4_K_M -> DType.Q5_K;
                case Q5_K_M -> DType.Q6_K;
                default -> type;
            };
        }
        return type;
    }

    /** Layer i of n gets more bits: the first and last eighths, and every third layer between. */
    static boolean moreBits(int i, int n) {
        return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2;
    }

    /** {@code type} if a row of {@code row} values is whole blocks of it, else llama-quantize's fallback, else F16. */
    static DType fallback(DType type, long row) {
        if (row % type.blockSize() == 0) {
            return type;
        }
        DType next = switch (type) {
            case Q2_K, Q3_K -> DType.Q4_0;
            case Q4_K -> DType.Q5_0;
            case Q5_K -> DType.Q5_1;
            case Q6_K -> DType.Q8_0;
            case IQ4_XS -> DType.IQ4_NL;
            default -> DType.F16;
        };
        return row % next.blockSize() == 0 ? next : DType.F16;
    }

    /** The N of a tensor named {@code blk.N.…}; −1 for tensors outside the blocks (they come first). */
    private static int layerOf(String name) {
        if (!name.startsWith("blk.")) {
            return -1;
        }
        int end = name.indexOf('.', 4);
        try {
            return Integer.parseInt(name.substring(4, end < 0 ? name.length() : end));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
