package dev.jgpt.lora;

import dev.jgpt.Quoted;
import dev.jgpt.format.FormatException;
import dev.jgpt.format.Gguf;
import dev.jgpt.format.GgufMetadata;
import dev.jgpt.format.GgufNames;
import dev.jgpt.format.GgufValue;
import dev.jgpt.format.GgufWriter;
import dev.jgpt.format.SafeTensorsWriter.Entry;
import dev.jgpt.tensor.DType;
import dev.jgpt.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A LoRA adapter as llama.cpp writes and reads it in a GGUF file: {@code general.type = adapter},
 * {@code adapter.type = lora}, {@code adapter.lora.alpha}, the base model's
 * {@code general.architecture}, and for each adapted weight {@code <name>.lora_a} [rank, in] and
 * {@code <name>.lora_b} [out, rank] (row-major; GGUF's dimension lists are these reversed).
 * Applied at scale s, it adds {@code s · alpha / rank · B·A} to the weight, or {@code s · B·A}
 * when alpha is 0 or absent ({@link #scale}).
 *
 * @param pairs the factors by the name of the weight they adapt ({@code blk.0.attn_q.weight}), in name order
 */
public record LoraAdapter(String architecture, float alpha, Map<String, LoraPair> pairs) {
    public static final String SUFFIX_A = ".lora_a";
    public static final String SUFFIX_B = ".lora_b";
    /** Tensors llama.cpp passes over in an adapter (norm weights it does not adapt); so does jgpt. */
    private static final String IGNORED_SUFFIX = "_norm.weight";

    public LoraAdapter {
        pairs = Collections.unmodifiableMap(new TreeMap<>(pairs));
    }

    /**
     * The factor of the term a pair of {@code rank} adds at {@code userScale}: {@code userScale · alpha / rank},
     * or {@code userScale} alone when alpha is 0 (llama.cpp's rule).
     */
    public float scale(float userScale, int rank) {
        return scale(alpha, userScale, rank);
    }

    /** {@link #scale(float, int)} of an adapter of {@code alpha}. */
    public static float scale(float alpha, float userScale, int rank) {
        return alpha == 0 ? userScale : userScale * alpha / rank;
    }

    /** The ranks of the pairs, smallest first (usually one). */
    public List<Integer> ranks() {
        return List.copyOf(new TreeSet<>(pairs.values().stream().map(LoraPair::rank).toList()));
    }

    /** Reads a LoRA adapter file; every problem is an error naming the file (and the tensor, for a tensor's). */
    public static LoraAdapter read(Path file) {
        try (Gguf gguf = Gguf.open(file)) {
            GgufMetadata meta = gguf.metadata();
            Optional<String> type = meta.optionalString(GgufNames.TYPE);
            if (!GgufNames.isAdapter(meta)) {
                throw new FormatException(file, "not a LoRA adapter: " + GgufNames.TYPE + " is "
                        + type.map(Quoted::of).orElse("absent") + ", an adapter's is 'adapter'");
            }
            String adapterType = meta.optionalString(GgufNames.ADAPTER_TYPE).orElse("");
            if (!adapterType.equals("lora")) {
                throw new FormatException(file, GgufNames.ADAPTER_TYPE + " is " + Quoted.of(adapterType)
                        + "; only 'lora' adapters are supported");
            }
            String architecture = meta.optionalString(GgufMetadata.ARCHITECTURE).orElseThrow(() -> new FormatException(file,
                    "no " + GgufMetadata.ARCHITECTURE + ": an adapter names the architecture of its base model"));
            float alpha = meta.optionalFloat(GgufNames.LORA_ALPHA).orElse(0f);
            if (!Float.isFinite(alpha)) {
                throw new FormatException(file, GgufNames.LORA_ALPHA + " is " + alpha + ", not a finite number");
            }
            return new LoraAdapter(architecture, alpha, pairs(gguf));
        }
    }

    private static Map<String, LoraPair> pairs(Gguf gguf) {
        Path file = gguf.file();
        Map<String, Tensor> as = new TreeMap<>();
        Map<String, Tensor> bs = new TreeMap<>();
        for (Tensor t : gguf.tensors()) {
            String name = t.name();
            if (name.endsWith(SUFFIX_A)) {
                as.put(name.substring(0, name.length() - SUFFIX_A.length()), t);
            } else if (name.endsWith(SUFFIX_B)) {
                bs.put(name.substring(0, name.length() - SUFFIX_B.length()), t);
            } else if (!name.endsWith(IGNORED_SUFFIX)) {
                throw new FormatException(file, "tensor " + Quoted.of(name) + " is neither a " + SUFFIX_A + " nor a "
                        + SUFFIX_B + " factor of a LoRA adapter");
            }
        }
        Map<String, LoraPair> pairs = new TreeMap<>();
        for (String target : union(as, bs)) {
            Tensor a = as.get(target);
            Tensor b = bs.get(target);
            if (a == null || b == null) {
                throw new FormatException(file, "tensor " + Quoted.of(target + (a == null ? SUFFIX_B : SUFFIX_A))
                        + " has no partner " + Quoted.of(target + (a == null ? SUFFIX_A : SUFFIX_B)));
            }
            pairs.put(target, pair(file, a, b));
        }
        if (pairs.isEmpty()) {
            throw new FormatException(file, "the adapter holds no " + SUFFIX_A + "/" + SUFFIX_B + " tensor pairs");
        }
        return pairs;
    }

    private static TreeSet<String> union(Map<String, Tensor> as, Map<String, Tensor> bs) {
        TreeSet<String> targets = new TreeSet<>(as.keySet());
        targets.addAll(bs.keySet());
        return targets;
    }

    /** a [rank, in] and b [out, rank]: the ranks must agree. */
    private static LoraPair pair(Path file, Tensor a, Tensor b) {
        for (Tensor t : List.of(a, b)) {
            if (t.rank() != 2 || t.shape()[0] > Integer.MAX_VALUE || t.shape()[1] > Integer.MAX_VALUE || t.elementCount() == 0) {
                throw new FormatException(file, "tensor " + Quoted.of(t.name()) + " has shape " + Tensor.shapeString(t.shape())
                        + ", expected a matrix");
            }
        }
        int rank = (int) a.shape()[0];
        if (b.shape()[1] != rank) {
            throw new FormatException(file, "tensor " + Quoted.of(b.name()) + " has shape " + Tensor.shapeString(b.shape())
                    + " but " + Quoted.of(a.name()) + " " + Tensor.shapeString(a.shape()) + " has rank " + rank
                    + ": expected [out, " + rank + "] (a is [rank, in], b is [out, rank])");
        }
        return new LoraPair((int) a.shape()[1], (int) b.shape()[0], rank, a.toFloatArray(), b.toFloatArray());
    }

    /** Writes the adapter as llama.cpp lays it out, factors as {@code dtype} (F32, F16 or BF16), atomically. */
    public void write(Path file, DType dtype) {
        if (dtype.isQuantized()) {
            throw new IllegalArgumentException("LoRA factors are written as F32, F16 or BF16, not " + dtype);
        }
        Map<String, GgufValue> metadata = new LinkedHashMap<>();
        metadata.put(GgufMetadata.ARCHITECTURE, GgufValue.string(architecture));
        metadata.put(GgufNames.TYPE, GgufValue.string("adapter"));
        metadata.put(GgufNames.ADAPTER_TYPE, GgufValue.string("lora"));
        metadata.put(GgufNames.LORA_ALPHA, GgufValue.f32(alpha));
        List<Entry> tensors = new ArrayList<>();
        pairs.forEach((target, p) -> {
            tensors.add(Entry.of(target + SUFFIX_A, dtype, new long[] {p.rank(), p.in()}, p.a()));
            tensors.add(Entry.of(target + SUFFIX_B, dtype, new long[] {p.out(), p.rank()}, p.b()));
        });
        GgufWriter.write(file, metadata, tensors);
    }
}
