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
import java.util.OptionalInt;
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
    public static final List<String> SUPPORTED = List.of("llama", "qwen2", "gpt2", "granite", "phi3", "gemma2", "gemma3",
            "olmo2", "qwen3");

    private static final Pattern LAYER = Pattern.compile("blk\\.(\\d+)\\..*");
    /** Families whose heads may be narrower or wider than embedding_length / head_count. */
    private static final Set<String> HEADS_SIZED_APART = Set.of("gemma2", "gemma3", "qwen3");
    /** llama.cpp's rotary base for Gemma 3's windowed layers. */
    private static final double GEMMA3_LOCAL_BASE = 10000;

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
        int kvHeads = meta.optionalInt(key("attention.head_count_kv")).orElse(heads);
        int headSize = headSize(embd, heads);
        boolean gpt2 = arch.equals("gpt2");
        float eps = meta.getFloat(key(gpt2 ? "attention.layer_norm_epsilon" : "attention.layer_norm_rms_epsilon"));
        Tensor embedding = require("token_embd.weight");
        if (embedding.rank() != 2 || embedding.shape()[1] != embd || embedding.shape()[0] > Integer.MAX_VALUE) {
            throw new FormatException(gguf.file(), "tensor 'token_embd.weight' has shape " + Tensor.shapeString(embedding.shape())
                    + ", expected [vocabulary, " + embd + "] from " + key("embedding_length"));
        }
        int layerCount = positive("block_count");
        Architecture architecture = switch (arch) {
            case "llama" -> Architecture.llama(rope(Rope.Style.NORM, headSize));
            case "qwen2" -> Architecture.qwen2(rope(Rope.Style.NEOX, headSize));
            case "qwen3" -> Architecture.qwen3(rope(Rope.Style.NEOX, headSize));
            case "olmo2" -> Architecture.olmo2(rope(Rope.Style.NEOX, headSize));
            case "granite" -> Architecture.granite(rope(Rope.Style.NORM, headSize), meta.getFloat(key("embedding_scale")),
                    meta.getFloat(key("residual_scale")), meta.getFloat(key("attention.scale")),
                    meta.getFloat(key("logit_scale")));
            case "phi3" -> phi3(headSize);
            // llama.cpp scales Gemma's queries by 1/√(E/heads) for its largest model (46 and 62 layers), else by 1/√D
            case "gemma2" -> Architecture.gemma2(rope(Rope.Style.NEOX, headSize), embd,
                    queryScale(layerCount == 46 ? embd / heads : headSize), window(),
                    meta.optionalFloat(key("attn_logit_softcapping")).orElse(50f),
                    meta.optionalFloat(key("final_logit_softcapping")).orElse(30f));
            case "gemma3" -> {
                Rope global = rope(Rope.Style.NEOX, headSize);
                yield Architecture.gemma3(global, global.withBase(GEMMA3_LOCAL_BASE), embd,
                        queryScale(layerCount == 62 ? embd / heads : headSize), window());
            }
            default -> Architecture.GPT2;
        };
        StoredLayers.check(gguf, LAYER, layerCount, "'" + key("block_count") + "'");
        try {
            return new ModelConfig(architecture, layerCount, heads, kvHeads, embd, positive("feed_forward_length"),
                    positive("context_length"), (int) embedding.shape()[0], eps, gguf.find("output.weight").isEmpty(),
                    headSize);
        } catch (JgptException e) {
            throw new FormatException(gguf.file(), e.getMessage());
        }
    }

    /** The width of a head: {@code attention.key_length} (and value_length, the same), else embedding_length / head_count. */
    private int headSize(int embd, int heads) {
        OptionalInt keyLength = meta.optionalInt(key("attention.key_length"));
        if (keyLength.isEmpty() && embd % heads != 0) {
            throw new FormatException(gguf.file(), "'" + key("attention.head_count") + "' is " + heads + ", which does not divide '"
                    + key("embedding_length") + "' (" + embd + ")");
        }
        int size = keyLength.orElse(embd / heads);
        int valueSize = meta.optionalInt(key("attention.value_length")).orElse(size);
        if (size <= 0 || valueSize != size) {
            throw new FormatException(gguf.file(), "'" + key("attention.key_length") + "' is " + size + " and '"
                    + key("attention.value_length") + "' " + valueSize + ": heads need one positive size for keys and values");
        }
        if ((long) size * heads != embd && !HEADS_SIZED_APART.contains(arch)) {
            throw new FormatException(gguf.file(), "'" + key("attention.key_length") + "' is " + size + ": heads of a size other "
                    + "than embedding_length / head_count are not supported for " + arch);
        }
        return size;
    }

    private static float queryScale(int width) {
        return (float) (1 / Math.sqrt(width));
    }

    /** {@code attention.sliding_window}, which Gemma's files must have. */
    private int window() {
        return positive("attention.sliding_window");
    }

    /**
     * Phi-3: the sliding window (on every layer when the key is positive) and LongRoPE's factor
     * tensors, the short ones up to the original context and the long ones past it.
     */
    private Architecture phi3(int headSize) {
        int size = meta.optionalInt(key("attention.sliding_window")).orElse(0);
        Architecture.SlidingWindow window = size > 0 ? new Architecture.SlidingWindow(size, 0) : null;
        Rope plain = rope(Rope.Style.NEOX, headSize);
        Optional<Tensor> shortFactors = gguf.find("rope_factors_short.weight");
        Optional<Tensor> longFactors = gguf.find("rope_factors_long.weight");
        if (shortFactors.isEmpty() || longFactors.isEmpty()) {
            return Architecture.phi3(plain, window, null, 0);
        }
        try {
            Rope shortRope = new Rope(plain.style(), plain.dimensions(), plain.base(), plain.linearScale(),
                    vector(shortFactors.get(), plain.pairs()), plain.magnitude());
            Rope longRope = new Rope(plain.style(), plain.dimensions(), plain.base(), plain.linearScale(),
                    vector(longFactors.get(), plain.pairs()), plain.magnitude());
            used.add("rope_factors_short.weight");
            used.add("rope_factors_long.weight");
            return Architecture.phi3(shortRope, window, longRope, positive("rope.scaling.original_context_length"));
        } catch (JgptException e) {
            throw new FormatException(gguf.file(), e.getMessage());
        }
    }

    /**
     * The rotary embedding: rope.* keys (with {@code rope.scaling.attn_factor} on cos and sin), and
     * Llama 3's per-pair frequency divisors in rope_freqs.weight.
     */
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
            return new Rope(style, dimensions, base, linear, factors,
                    meta.optionalFloat(key("rope.scaling.attn_factor")).orElse(1f));
        } catch (JgptException e) {
            throw new FormatException(gguf.file(), e.getMessage());
        }
    }

    private ModelWeights weights(ModelConfig c) {
        int e = c.embd();
        int q = c.queryDim();
        int kv = c.kvDim();
        Architecture a = c.architecture();
        Architecture.Features f = a.features();
        boolean pre = f.norms().pre();
        boolean post = f.norms().post();
        List<LayerWeights> layers = new ArrayList<>();
        for (int l = 0; l < c.layers(); l++) {
            String p = "blk." + l + ".";
            NormWeights attentionNorm = pre ? norm(p + "attn_norm", e, a.otherBiases()) : null;
            Linear attentionOutput = linear(p + "attn_output", q, e, a.otherBiases());
            NormWeights mlpNorm = pre ? norm(p + "ffn_norm", e, a.otherBiases()) : null;
            Linear[] mlp = mlp(c, p);
            LayerWeights layer = gguf.find(p + "attn_qkv.weight").isPresent()
                    ? LayerWeights.fused(attentionNorm, linear(p + "attn_qkv", e, q + 2 * kv, a.qkvBias()), attentionOutput,
                            mlpNorm, mlp[0], mlp[1], mlp[2])
                    : LayerWeights.separate(attentionNorm, linear(p + "attn_q", e, q, a.qkvBias()),
                            linear(p + "attn_k", e, kv, a.qkvBias()), linear(p + "attn_v", e, kv, a.qkvBias()),
                            attentionOutput, mlpNorm, mlp[0], mlp[1], mlp[2]);
            boolean whole = f.qkNorm() == Architecture.QkNorm.WHOLE;
            boolean qk = f.qkNorm() != Architecture.QkNorm.NONE;
            layers.add(layer.withNorms(qk ? norm(p + "attn_q_norm", whole ? q : c.headSize(), false) : null,
                    qk ? norm(p + "attn_k_norm", whole ? kv : c.headSize(), false) : null,
                    post ? norm(p + "post_attention_norm", e, false) : null,
                    post ? norm(p + "post_ffw_norm", e, false) : null));
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

    /**
     * The MLP's gate (null without one), up and down maps. A gated MLP without {@code ffn_gate}
     * stores gate and up as the two halves of {@code ffn_up}'s outputs, gate first (Phi-3).
     */
    private Linear[] mlp(ModelConfig c, String p) {
        int e = c.embd();
        int hidden = c.mlpHidden();
        boolean biases = c.architecture().otherBiases();
        Optional<Tensor> up = gguf.find(p + "ffn_up.weight");
        boolean halves = c.architecture().mlp().gated() && !biases && gguf.find(p + "ffn_gate.weight").isEmpty()
                && up.isPresent() && up.get().hasShape(2L * hidden, e);
        if (halves) {
            Tensor both = tensor(p + "ffn_up.weight", 2L * hidden, e);
            return new Linear[] {
                new Linear(both.rows(p + "ffn_up.weight[gate]", 0, hidden).asMatrix(WeightMatrix.Layout.OUT_IN), null),
                new Linear(both.rows(p + "ffn_up.weight[up]", hidden, hidden).asMatrix(WeightMatrix.Layout.OUT_IN), null),
                linear(p + "ffn_down", hidden, e, biases)};
        }
        Linear gate = c.architecture().mlp().gated() ? linear(p + "ffn_gate", e, hidden, biases) : null;
        return new Linear[] {gate, linear(p + "ffn_up", e, hidden, biases), linear(p + "ffn_down", hidden, e, biases)};
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
