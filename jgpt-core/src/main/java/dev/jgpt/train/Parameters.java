package dev.jgpt.train;

import dev.jgpt.JgptException;
import dev.jgpt.convert.RandomModel;
import dev.jgpt.format.SafeTensorsWriter;
import dev.jgpt.format.TensorSource;
import dev.jgpt.model.LayerWeights;
import dev.jgpt.model.ModelConfig;
import dev.jgpt.model.ModelWeights;
import dev.jgpt.model.Transformer;
import dev.jgpt.model.load.Gpt2Loader;
import dev.jgpt.model.load.Gpt2Tensors;
import dev.jgpt.model.load.HfConfig;
import dev.jgpt.model.load.ModelFiles;
import dev.jgpt.tensor.DType;
import dev.jgpt.tensor.Tensor;
import dev.jgpt.tensor.WeightMatrix.Layout;
import dev.jgpt.tensor.WeightMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every parameter of a GPT-2, float32, in one off-heap segment, tensor after tensor in
 * {@link Gpt2Tensors#of} order (Hugging Face names and shapes). Gradients and optimizer moments
 * use the same layout: the element {@link #offset} of a tensor is the same in all of them.
 *
 * <p>The total is limited to {@link Integer#MAX_VALUE} elements, so that those companions can be
 * plain {@code float[]} (GPT-2 XL has 1.56 billion).
 */
public final class Parameters implements AutoCloseable {
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private final ModelConfig config;
    private final List<Gpt2Tensors.Spec> specs;
    private final int[] offsets;
    private final int count;
    private final Map<String, Integer> indexByName = new HashMap<>();
    private final Arena arena;
    private final MemorySegment data;

    private Parameters(ModelConfig config) {
        this.config = config;
        this.specs = Gpt2Tensors.of(config);
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

    /** A float32 copy of loaded weights (any dtype); the unembedding must be tied to {@code wte}. */
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
        p.requireTied(weights.unembedding());
        return p;
    }

    /** Copies the GPT-2 weights of a checkpoint (Hugging Face names, with or without {@code transformer.}). */
    public static Parameters load(TensorSource source, ModelConfig config) {
        return copyOf(Gpt2Loader.load(source, config));
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
    public List<Gpt2Tensors.Spec> specs() {
        return specs;
    }

    /** Number of parameters (the tied unembedding counted once). */
    public int count() {
        return count;
    }

    /** Element offset of tensor {@code name} in this segment, the gradients and the optimizer moments. */
    public int offset(String name) {
        return offsets[index(name)];
    }

    /** Element offset of tensor number {@code index} of {@link #specs()}. */
    public int offset(int index) {
        return offsets[index];
    }

    public Tensor tensor(String name) {
        int i = index(name);
        return new Tensor(name, DType.F32, specs.get(i).shape(), slice(i));
    }

    /** All parameters, float32 in native (little-endian) order. */
    public MemorySegment data() {
        return data;
    }

    /**
     * The parameters as the inference {@link dev.jgpt.model.Transformer} reads them. Matrices and
     * embeddings are live views of this segment; biases and norm weights are copies taken now, so
     * take a new view after the parameters change.
     */
    public ModelWeights modelWeights() {
        return ModelWeights.of(config, this::tensor, tensor("wte.weight"));
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
        s.put("wte.weight", new Source(w.tokenEmbedding().data(), w.tokenEmbedding().dtype()));
        s.put("wpe.weight", new Source(w.positionEmbedding().data(), w.positionEmbedding().dtype()));
        for (int l = 0; l < w.layers().size(); l++) {
            LayerWeights lw = w.layers().get(l);
            String p = "h." + l + ".";
            s.put(p + "ln_1.weight", source(lw.attentionNorm().weight()));
            s.put(p + "ln_1.bias", source(lw.attentionNorm().bias()));
            s.put(p + "attn.c_attn.weight", source(lw.qkv().weight()));
            s.put(p + "attn.c_attn.bias", source(lw.qkv().bias()));
            s.put(p + "attn.c_proj.weight", source(lw.attentionOutput().weight()));
            s.put(p + "attn.c_proj.bias", source(lw.attentionOutput().bias()));
            s.put(p + "ln_2.weight", source(lw.mlpNorm().weight()));
            s.put(p + "ln_2.bias", source(lw.mlpNorm().bias()));
            s.put(p + "mlp.c_fc.weight", source(lw.mlpUp().weight()));
            s.put(p + "mlp.c_fc.bias", source(lw.mlpUp().bias()));
            s.put(p + "mlp.c_proj.weight", source(lw.mlpDown().weight()));
            s.put(p + "mlp.c_proj.bias", source(lw.mlpDown().bias()));
        }
        s.put("ln_f.weight", source(w.finalNorm().weight()));
        s.put("ln_f.bias", source(w.finalNorm().bias()));
        return s;
    }

    private static Source source(float[] values) {
        return new Source(MemorySegment.ofArray(values), DType.F32);
    }

    private static Source source(WeightMatrix m) {
        if (m.layout() != Layout.IN_OUT) {
            throw new JgptException(m.name() + ": expected a Conv1D [in, out] weight");
        }
        return new Source(m.data(), m.dtype());
    }

    /** Training ties the unembedding to wte; a checkpoint with a different lm_head cannot be trained here. */
    private void requireTied(WeightMatrix unembedding) {
        MemorySegment wte = slice(index("wte.weight"));
        for (long e = 0, n = wte.byteSize() / Float.BYTES; e < n; e++) {
            if (unembedding.dtype().read(unembedding.data(), e) != wte.getAtIndex(FLOAT, e)) {
                throw new JgptException(unembedding.name() + " differs from wte.weight: only models with a tied"
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

    private static long elements(Gpt2Tensors.Spec spec) {
        long n = 1;
        for (long d : spec.shape()) {
            n *= d;
        }
        return n;
    }
}
