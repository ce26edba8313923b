package dev.jgpt.train;

import dev.jgpt.JgptException;
import dev.jgpt.convert.RandomModel;
import dev.jgpt.format.SafeTensorsWriter;
import dev.jgpt.format.TensorSource;
import dev.jgpt.model.Architecture;
import dev.jgpt.model.Gradients.LinearSlots;
import dev.jgpt.model.Gradients;
import dev.jgpt.model.LayerWeights;
import dev.jgpt.model.Linear;
import dev.jgpt.model.ModelConfig;
import dev.jgpt.model.ModelWeights;
import dev.jgpt.model.NormWeights;
import dev.jgpt.model.Transformer;
import dev.jgpt.model.load.HfConfig;
import dev.jgpt.model.load.HfLoader;
import dev.jgpt.model.load.HfTensors;
import dev.jgpt.model.load.ModelFiles;
import dev.jgpt.tensor.DType;
import dev.jgpt.tensor.Tensor;
import dev.jgpt.tensor.WeightMatrix.Layout;
import dev.jgpt.tensor.WeightMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every parameter of a model (GPT-2 or the Llama family), float32, in one off-heap segment, tensor after tensor in
 * {@link HfTensors#of} order (Hugging Face names and shapes). Gradients and optimizer moments
 * use the same layout: the element {@link #offset} of a tensor is the same in all of them.
 *
 * <p>The total is limited to {@link Integer#MAX_VALUE} elements, so that those companions can be
 * plain {@code float[]} (GPT-2 XL has 1.56 billion).
 */
public final class Parameters implements ParameterTensors, AutoCloseable {
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private final ModelConfig config;
    private final List<HfTensors.Spec> specs;
    private final int[] offsets;
    private final int count;
    private final Map<String, Integer> indexByName = new HashMap<>();
    private final Arena arena;
    private final MemorySegment data;

    private Parameters(ModelConfig config) {
        this.config = config;
        this.specs = HfTensors.of(config);
        this.offsets = new int[specs.size()];
        long total = 0;
        for (int i = 0; i < specs.size(); i++) {
            offsets[i] = (int) Math.min(total, Integer.MAX_VALUE);
            total += elements(specs.get(i));
            indexByName.put(specs.get(i).name(), i);
        }
        if (total > Integer.MAX_VALUE - 8) {
            throw new JgptException("model too large to train here: " + total + " parameters (at most "
                    + (Integer.MAX_VALUE - 8) + ")");
        }
        this.count = (int) total;
        this.arena = Arena.ofShared();
        this.data = arena.allocate(total * Float.BYTES, 64);
    }

    /** A fresh model initialised as {@link RandomModel} writes it: the same seed gives the same weights. */
    public static Parameters random(ModelConfig config, long seed) {
        Parameters p = new Parameters(config);
        for (int i = 0; i < p.specs.size(); i++) {
            RandomModel.initialize(config, seed, i, p.slice(i), DType.F32);
        }
        return p;
    }

    /**
     * A float32 copy of loaded weights (any dtype), laid out as the Hugging Face checkpoint of
     * their config; a GPT-2's unembedding must be tied to {@code wte}.
     */
    public static Parameters copyOf(ModelWeights weights) {
        Parameters p = new Parameters(weights.config());
        Map<String, Source> sources = sources(weights);
        for (int i = 0; i < p.specs.size(); i++) {
            Source source = sources.get(p.specs.get(i).name());
            MemorySegment target = p.slice(i);
            if (source.dtype() == DType.F32) {
                MemorySegment.copy(source.data(), 0, target, 0, target.byteSize());
            } else {
                for (long e = 0, n = target.byteSize() / Float.BYTES; e < n; e++) {
                    target.setAtIndex(FLOAT, e, source.dtype().read(source.data(), e));
                }
            }
        }
        if (p.config.tiedOutput()) {
            p.requireTied(weights.unembedding());
        }
        return p;
    }

    /** Copies the weights of a Hugging Face checkpoint whose config is known. */
    public static Parameters load(TensorSource source, ModelConfig config) {
        return copyOf(HfLoader.load(source, config));
    }

    /** Copies the weights of a model folder ({@code config.json} + {@code model.safetensors}). */
    public static Parameters load(Path modelDirectory) {
        try (ModelFiles files = ModelFiles.open(modelDirectory)) {
            return copyOf(files.transformer().weights());
        }
    }

    /** Writes {@code config.json} and {@code model.safetensors} (F32, Hugging Face names) into {@code directory}. */
    public void save(Path directory) {
        save(directory, DType.F32);
    }

    /** Writes {@code config.json} and {@code model.safetensors} with weights converted to {@code dtype}. */
    public void save(Path directory, DType dtype) {
        HfConfig.write(config, directory.resolve(ModelFiles.CONFIG));
        SafeTensorsWriter.write(directory.resolve(ModelFiles.WEIGHTS),
                specs.stream().map(spec -> SafeTensorsWriter.Entry.of(tensor(spec.name()), dtype)).toList(), Map.of("format", "pt"));
    }

    public ModelConfig config() {
        return config;
    }

    /** The tensors, in storage order. */
    @Override
    public List<HfTensors.Spec> specs() {
        return specs;
    }

    /** Number of parameters (the tied unembedding counted once). */
    @Override
    public int count() {
        return count;
    }

    /** Element offset of tensor {@code name} in this segment, the gradients and the optimizer moments. */
    public int offset(String name) {
        return offsets[index(name)];
    }

    /** Element offset of tensor number {@code index} of {@link #specs()}. */
    @Override
    public int offset(int index) {
        return offsets[index];
    }

    public Tensor tensor(String name) {
        int i = index(name);
        return new Tensor(name, DType.F32, specs.get(i).shape(), slice(i));
    }

    /** All parameters, float32 in native (little-endian) order. */
    @Override
    public MemorySegment data() {
        return data;
    }

    /**
     * The parameters as the inference {@link dev.jgpt.model.Transformer} reads them. Matrices and
     * embeddings are live views of this segment; biases and norm weights are copies taken now, so
     * take a new view after the parameters change.
     */
    public ModelWeights modelWeights() {
        return HfTensors.weights(config, this::tensor, tensor(HfTensors.tokenEmbedding(config)));
    }

    /** Whether the query, key and value projections are one fused matrix (GPT-2's c_attn). */
    public boolean fusedQkv() {
        return gpt2();
    }

    private boolean gpt2() {
        return config.architecture().equals(Architecture.GPT2);
    }

    /** Where the backward adds each tensor's gradient in {@code values}, laid out like these parameters. */
    public Gradients gradients(float[] values) {
        List<Gradients.LayerSlots> layers = new ArrayList<>();
        for (int l = 0; l < config.layers(); l++) {
            if (gpt2()) {
                String p = "h." + l + ".";
                layers.add(new Gradients.LayerSlots(norm(p + "ln_1"), linear(p + "attn.c_attn"), LinearSlots.NONE,
                        LinearSlots.NONE, LinearSlots.NONE, linear(p + "attn.c_proj"), norm(p + "ln_2"), LinearSlots.NONE,
                        linear(p + "mlp.c_fc"), linear(p + "mlp.c_proj")));
            } else {
                String p = "model.layers." + l + ".";
                layers.add(new Gradients.LayerSlots(norm(p + "input_layernorm"), LinearSlots.NONE,
                        linear(p + "self_attn.q_proj"), linear(p + "self_attn.k_proj"), linear(p + "self_attn.v_proj"),
                        linear(p + "self_attn.o_proj"), norm(p + "post_attention_layernorm"), linear(p + "mlp.gate_proj"),
                        linear(p + "mlp.up_proj"), linear(p + "mlp.down_proj")));
            }
        }
        int embedding = offset(HfTensors.tokenEmbedding(config));
        int unembedding = config.tiedOutput() ? embedding : offset("lm_head.weight");
        return gpt2()
                ? new Gradients(values, embedding, offset("wpe.weight"), layers, norm("ln_f"), unembedding)
                : new Gradients(values, embedding, Gradients.FROZEN, layers, norm("model.norm"), unembedding);
    }

    private Gradients.NormSlots norm(String name) {
        return new Gradients.NormSlots(offset(name + ".weight"), slotOf(name + ".bias"));
    }

    private LinearSlots linear(String name) {
        return new LinearSlots(offset(name + ".weight"), slotOf(name + ".bias"));
    }

    /** The offset of a tensor this model may lack (a bias), or {@link Gradients#FROZEN}. */
    private int slotOf(String name) {
        return indexByName.containsKey(name) ? offset(name) : Gradients.FROZEN;
    }

    /** Frees the segment; views taken from it must not be used afterwards. */
    @Override
    public void close() {
        arena.close();
    }

    private record Source(MemorySegment data, DType dtype) {}

    /** Where each Hugging Face tensor of {@code w} lies. */
    private static Map<String, Source> sources(ModelWeights w) {
        Map<String, Source> s = new HashMap<>();
        boolean gpt2 = w.config().architecture().equals(Architecture.GPT2);
        s.put(HfTensors.tokenEmbedding(w.config()), new Source(w.tokenEmbedding().data(), w.tokenEmbedding().dtype()));
        if (gpt2) {
            s.put("wpe.weight", new Source(w.positionEmbedding().data(), w.positionEmbedding().dtype()));
        }
        for (int l = 0; l < w.layers().size(); l++) {
            LayerWeights lw = w.layers().get(l);
            if (gpt2) {
                String p = "h." + l + ".";
                norm(s, p + "ln_1", lw.attentionNorm());
                linear(s, p + "attn.c_attn", lw.qkv(), Layout.IN_OUT);
                linear(s, p + "attn.c_proj", lw.attentionOutput(), Layout.IN_OUT);
                norm(s, p + "ln_2", lw.mlpNorm());
                linear(s, p + "mlp.c_fc", lw.mlpUp(), Layout.IN_OUT);
                linear(s, p + "mlp.c_proj", lw.mlpDown(), Layout.IN_OUT);
            } else {
                String p = "model.layers." + l + ".";
                norm(s, p + "input_layernorm", lw.attentionNorm());
                linear(s, p + "self_attn.q_proj", lw.query(), Layout.OUT_IN);
                linear(s, p + "self_attn.k_proj", lw.key(), Layout.OUT_IN);
                linear(s, p + "self_attn.v_proj", lw.value(), Layout.OUT_IN);
                linear(s, p + "self_attn.o_proj", lw.attentionOutput(), Layout.OUT_IN);
                norm(s, p + "post_attention_layernorm", lw.mlpNorm());
                linear(s, p + "mlp.gate_proj", lw.mlpGate(), Layout.OUT_IN);
                linear(s, p + "mlp.up_proj", lw.mlpUp(), Layout.OUT_IN);
                linear(s, p + "mlp.down_proj", lw.mlpDown(), Layout.OUT_IN);
            }
        }
        norm(s, gpt2 ? "ln_f" : "model.norm", w.finalNorm());
        if (!w.config().tiedOutput()) {
            s.put("lm_head.weight", source(w.unembedding(), Layout.OUT_IN));
        }
        return s;
    }

    private static void norm(Map<String, Source> s, String name, NormWeights norm) {
        s.put(name + ".weight", source(norm.weight()));
        if (norm.bias() != null) {
            s.put(name + ".bias", source(norm.bias()));
        }
    }

    private static void linear(Map<String, Source> s, String name, Linear linear, Layout layout) {
        if (linear == null) {
            throw new JgptException("expected a separate " + name + " projection");
        }
        s.put(name + ".weight", source(linear.weight(), layout));
        if (linear.bias() != null) {
            s.put(name + ".bias", source(linear.bias()));
        }
    }

    private static Source source(float[] values) {
        return new Source(MemorySegment.ofArray(values), DType.F32);
    }

    private static Source source(WeightMatrix m, Layout layout) {
        if (m.layout() != layout) {
            throw new JgptException(m.name() + ": expected a " + (layout == Layout.IN_OUT ? "Conv1D [in, out]" : "[out, in]")
                    + " weight");
        }
        return new Source(m.data(), m.dtype());
    }

    /** Training ties the unembedding to wte; a checkpoint with a different lm_head cannot be trained here. */
    private void requireTied(WeightMatrix unembedding) {
        MemorySegment wte = slice(index(HfTensors.tokenEmbedding(config)));
        for (long e = 0, n = wte.byteSize() / Float.BYTES; e < n; e++) {
            if (unembedding.dtype().read(unembedding.data(), e) != wte.getAtIndex(FLOAT, e)) {
                throw new JgptException(unembedding.name() + " differs from the token embedding: only models with a tied"
                        + " unembedding can be trained");
            }
        }
    }

    private MemorySegment slice(int index) {
        return data.asSlice((long) offsets[index] * Float.BYTES, elements(specs.get(index)) * Float.BYTES);
    }

    private int index(String name) {
        Integer i = indexByName.get(name);
        if (i == null) {
            throw new IllegalArgumentException("no parameter named '" + name + "'");
        }
        return i;
    }

    private static long elements(HfTensors.Spec spec) {
        long n = 1;
        for (long d : spec.shape()) {
            n *= d;
        }
        return n;
    }
}
