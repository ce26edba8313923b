package dev.jgpt.model.load;

import dev.jgpt.JgptException;
import dev.jgpt.Quoted;
import dev.jgpt.format.FormatException;
import dev.jgpt.format.Gguf;
import dev.jgpt.format.GgufMetadata;
import dev.jgpt.format.GgufNames;
import dev.jgpt.model.Architecture;
import dev.jgpt.model.LayerWeights;
import dev.jgpt.model.Linear;
import dev.jgpt.model.ModelConfig;
import dev.jgpt.model.ModelWeights;
import dev.jgpt.model.NormWeights;
import dev.jgpt.model.Rope;
import dev.jgpt.tensor.Tensor;
import dev.jgpt.tensor.WeightMatrix;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A model read from a GGUF file as llama.cpp names it: the config from the {@code <arch>.*}
 * metadata, the weights as views of the mapped tensors ([out, in] row-major, any dtype). Every
 * tensor's shape is checked against the config, and every tensor of the file must be used.
 */
public final class GgufLoader {
    /** The {@code general.architecture} values read here. */
    public static final List<String> SUPPORTED = List.of("llama", "qwen2", "gpt2");

    private static final Pattern LAYER = Pattern.compile("blk\\.(\\d+)\\..*");

    private final Gguf gguf;
    private final GgufMetadata meta;
    private final String arch;
    private final Set<String> used = new HashSet<>();

    private GgufLoader(Gguf gguf) {
        this.gguf = gguf;
        this.meta = gguf.metadata();
        if (GgufNames.isAdapter(meta)) {
            throw new FormatException(gguf.file(), "a LoRA adapter (general.type is 'adapter'), not a model: "
                    + "apply it to the base model it was made for");
        }
        this.arch = meta.architecture();
        if (!SUPPORTED.contains(arch)) {
            throw new FormatException(gguf.file(), "architecture " + Quoted.of(arch) + " (" + GgufMetadata.ARCHITECTURE
                    + ") is not supported; supported: " + String.join(", ", SUPPORTED));
        }
    }

    /** The config a GGUF file's metadata describes. */
    public static ModelConfig config(Gguf gguf) {
        return new GgufLoader(gguf).config();
    }

    /** The config and every weight of a GGUF file. */
    public static ModelWeights load(Gguf gguf) {
        GgufLoader loader = new GgufLoader(gguf);
        return loader.weights(loader.config());
    }

    private ModelConfig config() {
        int embd = positive("embedding_length");
        int heads = positive("attention.head_count");
        if (embd % heads != 0) {
            throw new FormatException(gguf.file(), "'" + key("attention.head_count") + "' is " + heads + ", which does not divide '"
                    + key("embedding_length") + "' (" + embd + ")");
        }
        int kvHeads = meta.optionalInt(key("attention.head_count_kv")).orElse(heads);
        for (String length : List.of("attention.key_length", "attention.value_length")) {
            int size = meta.optionalInt(key(length)).orElse(embd / heads);
            if ((long) size * heads != embd) {
                throw new FormatException(gguf.file(), "'" + key(length) + "' is " + size + ": heads of a size other than "
                        + "embedding_length / head_count are not supported");
            }
        }
        boolean gpt2 = arch.equals("gpt2");
        float eps = meta.getFloat(key(gpt2 ? "attention.layer_norm_epsilon" : "attention.layer_norm_rms_epsilon"));
        Tensor embedding = require("token_embd.weight");
        if (embedding.rank() != 2 || embedding.shape()[1] != embd || embedding.shape()[0] > Integer.MAX_VALUE) {
            throw new FormatException(gguf.file(), "tensor 'token_embd.weight' has shape " + Tensor.shapeString(embedding.shape())
                    + ", expected [vocabulary, " + embd + "] from " + key("embedding_length"));
        }
        Architecture architecture = switch (arch) {
            case "llama" -> Architecture.llama(rope(Rope.Style.NORM, embd / heads));
            case "qwen2" -> Architecture.qwen2(rope(Rope.Style.NEOX, embd / heads));
            default -> Architecture.GPT2;
        };
        int layers = positive("block_count");
        StoredLayers.check(gguf, LAYER, layers, "'" + key("block_count") + "'");
        try {
            return new ModelConfig(architecture, layers, heads, kvHeads, embd, positive("feed_forward_length"),
                    positive("context_length"), (int) embedding.shape()[0], eps, gguf.find("output.weight").isEmpty());
        } catch (JgptException e) {
            throw new FormatException(gguf.file(), e.getMessage());
        }
    }

    /** The rotary embedding: rope.* keys, and Llama 3's per-pair frequency divisors in rope_freqs.weight. */
    private Rope rope(Rope.Style style, int headSize) {
        int dimensions = meta.optionalInt(key("rope.dimension_count")).orElse(headSize);
        double base = meta.optionalFloat(key("rope.freq_base")).orElse(10000f);
        String scaling = meta.optionalString(key("rope.scaling.type")).orElse("none");
        double linear = switch (scaling) {
            case "none" -> meta.optionalFloat(key("rope.scale_linear")).orElse(1f);
            case "linear" -> meta.getFloat(key("rope.scaling.factor"));
            default -> throw new FormatException(gguf.file(), "'" + key("rope.scaling.type") + "' is " + Quoted.of(scaling)
                    + "; supported: none, linear (and Llama 3's rope_freqs.weight)");
        };
        float[] factors = null;
        Optional<Tensor> freqs = gguf.find("rope_freqs.weight");
        if (freqs.isPresent()) {
            factors = vector(freqs.get(), dimensions / 2);
            used.add("rope_freqs.weight");
        }
        try {
            return new Rope(style, dimensions, base, linear, factors);
        } catch (JgptException e) {
            throw new FormatException(gguf.file(), e.getMessage());
        }
    }

    private ModelWeights weights(ModelConfig c) {
        int e = c.embd();
        int q = c.queryDim();
        int kv = c.kvDim();
        int hidden = c.mlpHidden();
        Architecture a = c.architecture();
        boolean swiglu = a.mlp() == Architecture.Mlp.SWIGLU;
        List<LayerWeights> layers = new ArrayList<>();
        for (int l = 0; l < c.layers(); l++) {
            String p = "blk." + l + ".";
            NormWeights attentionNorm = norm(p + "attn_norm", e, a.otherBiases());
            Linear attentionOutput = linear(p + "attn_output", q, e, a.otherBiases());
            NormWeights mlpNorm = norm(p + "ffn_norm", e, a.otherBiases());
            Linear gate = swiglu ? linear(p + "ffn_gate", e, hidden, a.otherBiases()) : null;
            Linear up = linear(p + "ffn_up", e, hidden, a.otherBiases());
            Linear down = linear(p + "ffn_down", hidden, e, a.otherBiases());
            layers.add(gguf.find(p + "attn_qkv.weight").isPresent()
                    ? LayerWeights.fused(attentionNorm, linear(p + "attn_qkv", e, q + 2 * kv, a.qkvBias()), attentionOutput,
                            mlpNorm, gate, up, down)
                    : LayerWeights.separate(attentionNorm, linear(p + "attn_q", e, q, a.qkvBias()),
                            linear(p + "attn_k", e, kv, a.qkvBias()), linear(p + "attn_v", e, kv, a.qkvBias()),
                            attentionOutput, mlpNorm, gate, up, down));
        }
        Tensor embedding = tensor("token_embd.weight", c.vocabSize(), e);
        Tensor positions = a.learnedPositions() ? tensor("position_embd.weight", c.contextLength(), e) : null;
        NormWeights finalNorm = norm("output_norm", e, a.otherBiases());
        Tensor output = c.tiedOutput() ? embedding : tensor("output.weight", c.vocabSize(), e);
        Set<String> unused = new TreeSet<>(gguf.names());
        unused.removeAll(used);
        if (!unused.isEmpty()) {
            throw new FormatException(gguf.file(), "unexpected tensor" + (unused.size() > 1 ? "s " : " ")
                    + String.join(", ", unused.stream().limit(5).map(Quoted::of).toList())
                    + (unused.size() > 5 ? " (and " + (unused.size() - 5) + " more)" : "") + " for a " + arch + " model");
        }
        return new ModelWeights(c, embedding, positions, layers, finalNorm, output.asMatrix(WeightMatrix.Layout.OUT_IN));
    }

    /** name.weight as the map [in] → [out] (stored [out, in]), with name.bias [out] if the architecture has one. */
    private Linear linear(String name, int in, int out, boolean bias) {
        WeightMatrix weight = tensor(name + ".weight", out, in).asMatrix(WeightMatrix.Layout.OUT_IN);
        return new Linear(weight, bias ? vector(tensor(name + ".bias", out), out) : null);
    }

    private NormWeights norm(String name, int width, boolean bias) {
        return new NormWeights(vector(tensor(name + ".weight", width), width),
                bias ? vector(tensor(name + ".bias", width), width) : null);
    }

    /** The tensor called {@code name}, which must have {@code shape}; marked as used. */
    private Tensor tensor(String name, long... shape) {
        Tensor t = require(name);
        if (!t.hasShape(shape)) {
            throw new FormatException(gguf.file(), "tensor '" + name + "' has shape " + Tensor.shapeString(t.shape())
                    + ", expected " + Tensor.shapeString(shape) + " from the " + arch + ".* metadata");
        }
        used.add(name);
        return t;
    }

    private Tensor require(String name) {
        return gguf.find(name).orElseThrow(() -> new FormatException(gguf.file(), "missing tensor '" + name
                + "' for a " + arch + " model"));
    }

    private float[] vector(Tensor t, int length) {
        if (t.rank() != 1 || t.shape()[0] != length) {
            throw new FormatException(gguf.file(), "tensor '" + t.name() + "' has shape " + Tensor.shapeString(t.shape())
                    + ", expected [" + length + "]");
        }
        return t.toFloatArray();
    }

    private int positive(String name) {
        int value = meta.getInt(key(name));
        if (value <= 0) {
            throw new FormatException(gguf.file(), "'" + key(name) + "' is " + value + ", expected a positive number");
        }
        return value;
    }

    private String key(String name) {
        return arch + "." + name;
    }
}
