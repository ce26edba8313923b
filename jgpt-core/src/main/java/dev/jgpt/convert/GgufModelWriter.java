package dev.jgpt.convert;

import static dev.jgpt.format.GgufNames.ArchKey.BLOCK_COUNT;
import static dev.jgpt.format.GgufNames.ArchKey.CONTEXT_LENGTH;
import static dev.jgpt.format.GgufNames.ArchKey.EMBEDDING_LENGTH;
import static dev.jgpt.format.GgufNames.ArchKey.FEED_FORWARD_LENGTH;
import static dev.jgpt.format.GgufNames.ArchKey.HEAD_COUNT;
import static dev.jgpt.format.GgufNames.ArchKey.HEAD_COUNT_KV;
import static dev.jgpt.format.GgufNames.ArchKey.LAYER_NORM_EPSILON;
import static dev.jgpt.format.GgufNames.ArchKey.LAYER_NORM_RMS_EPSILON;
import static dev.jgpt.format.GgufNames.ArchKey.ROPE_DIMENSION_COUNT;
import static dev.jgpt.format.GgufNames.ArchKey.ROPE_FREQ_BASE;
import static dev.jgpt.format.GgufNames.ArchKey.ROPE_SCALING_FACTOR;
import static dev.jgpt.format.GgufNames.ArchKey.ROPE_SCALING_TYPE;
import static dev.jgpt.format.GgufNames.block;

import dev.jgpt.format.FileType;
import dev.jgpt.format.GgufArray;
import dev.jgpt.format.GgufNames;
import dev.jgpt.format.GgufType;
import dev.jgpt.format.GgufValue;
import dev.jgpt.format.GgufWriter;
import dev.jgpt.format.SafeTensorsWriter.Entry;
import dev.jgpt.format.TensorConversion.Source;
import dev.jgpt.format.TensorConversion;
import dev.jgpt.model.Architecture;
import dev.jgpt.model.Linear;
import dev.jgpt.model.ModelConfig;
import dev.jgpt.model.ModelWeights;
import dev.jgpt.model.NormWeights;
import dev.jgpt.model.Rope;
import dev.jgpt.model.load.GgufLoader;
import dev.jgpt.model.load.TensorInit;
import dev.jgpt.tensor.DType;
import dev.jgpt.tensor.Tensor;
import dev.jgpt.tensor.WeightMatrix;
import dev.jgpt.tokenizer.ByteLevelBpe;
import dev.jgpt.tokenizer.PreTokenizer;
import dev.jgpt.tokenizer.SpelledVocabulary;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Models of any architecture as GGUF files the way llama.cpp's converters name and lay them out:
 * {@code <arch>.*} metadata from the config, tensors under llama.cpp's names with matrices
 * {@code [out, in]} row-major, the byte-level BPE vocabulary as {@code tokenizer.ggml.*}.
 * One table of tensors ({@link #slots}) serves both a model's weights ({@link #of}) and a
 * fresh model ({@link RandomModel#gguf}); tensors are made as the file is written, in place.
 */
public final class GgufModelWriter {
    /**
     * One weight tensor of the file: its name, its row-major shape ({@code [out, in]} for a
     * linear map), how a fresh model fills it, and where a model's weights hold it.
     */
    public record Slot(String name, long[] shape, TensorInit init, Function<ModelWeights, Source> source) {
        public Slot {
            shape = shape.clone();
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }
    }

    /** Writes the values of slot number {@code index} as {@code type} into {@code dst}. */
    @FunctionalInterface
    public interface Fill {
        void fill(int index, Slot slot, DType type, MemorySegment dst);
    }

    /** A file before it is written: its metadata and tensors in file order, both open to edits. */
    public record Contents(Map<String, GgufValue> metadata, List<Entry> tensors) {
        public void remove(String tensor) {
            tensors.removeIf(e -> e.name().equals(tensor));
        }

        public void write(Path file) {
            GgufWriter.write(file, metadata, tensors);
        }

        public void write(Path file, GgufWriter.Progress progress) {
            GgufWriter.write(file, metadata, tensors, progress);
        }
    }

    private GgufModelWriter() {}

    /** {@code weights} as a file whose matrices are {@code type} where their rows allow it ({@link QuantizationMix#pure}). */
    public static Contents of(ModelWeights weights, DType type) {
        boolean fused = weights.layers().getFirst().qkv() != null;
        return contents(weights.config(), type, fused,
                (index, slot, dtype, dst) -> TensorConversion.convert(slot.source().apply(weights), dtype, dst));
    }

    /**
     * The file of a model shaped by {@code config}: its metadata ({@link #metadata}, with
     * {@code general.file_type} for {@code type}), Llama 3's rotary frequency factors when the
     * config has them, then every slot as {@link QuantizationMix#pure} chooses, filled by {@code fill}.
     */
    public static Contents contents(ModelConfig config, DType type, boolean fusedQkv, Fill fill) {
        Map<String, GgufValue> metadata = metadata(config);
        List<Entry> tensors = new ArrayList<>();
        Rope rope = config.architecture().rope();
        if (rope != null && rope.frequencyFactors() != null) {
            float[] factors = rope.frequencyFactors();
            tensors.add(Entry.of(GgufNames.ROPE_FREQS + ".weight", DType.F32, new long[] {factors.length}, factors));
        }
        boolean quantized = false;
        List<Slot> slots = slots(config, fusedQkv);
        QuantizationMix mix = QuantizationMix.pure(type);
        List<QuantizationMix.Choice> choices = mix.choose(QuantizationMix.Shape.of(config),
                slots.stream().map(Slot::name).toList(), slots.stream().map(Slot::shape).toList());
        for (int i = 0; i < slots.size(); i++) {
            int index = i;
            Slot slot = slots.get(i);
            DType dtype = choices.get(i).type();
            quantized |= dtype.isQuantized();
            tensors.add(new Entry(slot.name(), dtype, slot.shape(), dst -> fill.fill(index, slot, dtype, dst)));
        }
        setFileType(metadata, mix.fileType(), quantized);
        return new Contents(metadata, tensors);
    }

    /** Sets {@code general.file_type}, and the quantization version when any tensor is quantized. */
    public static void setFileType(Map<String, GgufValue> metadata, FileType fileType, boolean anyQuantized) {
        metadata.put(GgufNames.FILE_TYPE, GgufValue.u32(fileType.id()));
        if (anyQuantized) {
            metadata.put(GgufNames.QUANTIZATION_VERSION, GgufValue.u32(GgufNames.CURRENT_QUANTIZATION_VERSION));
        } else {
            metadata.remove(GgufNames.QUANTIZATION_VERSION);
        }
    }

    /** {@code general.architecture} and the {@code <arch>.*} hyperparameters that {@link GgufLoader} reads back as {@code config}. */
    public static Map<String, GgufValue> metadata(ModelConfig config) {
        Architecture a = config.architecture();
        String arch = a.name();
        Map<String, GgufValue> m = new LinkedHashMap<>();
        m.put(GgufNames.ARCHITECTURE, GgufValue.string(arch));
        m.put(CONTEXT_LENGTH.of(arch), GgufValue.u32(config.contextLength()));
        m.put(EMBEDDING_LENGTH.of(arch), GgufValue.u32(config.embd()));
        m.put(FEED_FORWARD_LENGTH.of(arch), GgufValue.u32(config.mlpHidden()));
        m.put(BLOCK_COUNT.of(arch), GgufValue.u32(config.layers()));
        m.put(HEAD_COUNT.of(arch), GgufValue.u32(config.heads()));
        m.put(HEAD_COUNT_KV.of(arch), GgufValue.u32(config.kvHeads()));
        m.put((a.norm() == Architecture.Norm.RMS_NORM ? LAYER_NORM_RMS_EPSILON : LAYER_NORM_EPSILON).of(arch),
                GgufValue.f32(config.normEps()));
        Rope rope = a.rope();
        if (rope != null) {
            m.put(ROPE_DIMENSION_COUNT.of(arch), GgufValue.u32(rope.dimensions()));
            m.put(ROPE_FREQ_BASE.of(arch), GgufValue.f32((float) rope.base()));
            if (rope.linearScale() != 1) {
                m.put(ROPE_SCALING_TYPE.of(arch), GgufValue.string("linear"));
                m.put(ROPE_SCALING_FACTOR.of(arch), GgufValue.f32((float) rope.linearScale()));
            }
        }
        return m;
    }

    /**
     * The {@code tokenizer.ggml.*} metadata of a byte-level BPE with GPT-2's pre-tokenizer, for
     * a model of {@code vocabSize} tokens: ids the tokenizer lacks become unused "[PADn]"
     * tokens, special tokens are control tokens, and BOS and EOS are its end-of-text token
     * (GPT-2 begins and ends a text with the same token).
     */
    public static Map<String, GgufValue> vocabulary(ByteLevelBpe tokenizer, int vocabSize) {
        if (tokenizer.vocabSize() > vocabSize) {
            throw new IllegalArgumentException("a tokenizer of " + tokenizer.vocabSize() + " tokens for a model of " + vocabSize);
        }
        if (tokenizer.options().preTokenizer() != PreTokenizer.GPT2) {
            throw new IllegalArgumentException("only GPT-2's pre-tokenizer is written, not " + tokenizer.options().preTokenizer());
        }
        SpelledVocabulary spelled = SpelledVocabulary.of(tokenizer);
        List<String> tokens = new ArrayList<>(vocabSize);
        long[] types = new long[vocabSize];
        for (int id = 0; id < vocabSize; id++) {
            String token = id < spelled.tokens().size() ? spelled.tokens().get(id) : null;
            tokens.add(token != null ? token : "[PAD" + id + "]");
            types[id] = token == null ? GgufNames.TOKEN_UNUSED
                    : spelled.specialIds().contains(id) ? GgufNames.TOKEN_CONTROL : GgufNames.TOKEN_NORMAL;
        }
        Map<String, GgufValue> m = new LinkedHashMap<>();
        m.put(GgufNames.TOKENIZER_MODEL, GgufValue.string("gpt2"));
        m.put(GgufNames.TOKENIZER_PRE, GgufValue.string(PreTokenizer.GPT2.ggufName()));
        m.put(GgufNames.TOKENS, GgufArray.ofStrings(tokens));
        m.put(GgufNames.TOKEN_TYPE, GgufArray.ofIntegers(GgufType.INT32, types));
        m.put(GgufNames.MERGES, GgufArray.ofStrings(spelled.merges()));
        tokenizer.eosId().ifPresent(eos -> {
            m.put(GgufNames.BOS_ID, GgufValue.u32(eos));
            m.put(GgufNames.EOS_ID, GgufValue.u32(eos));
        });
        return m;
    }

    /**
     * Every weight tensor of a model shaped by {@code c}, in llama.cpp's order; {@code fusedQkv}
     * stores the query, key and value maps as one {@code attn_qkv} (GPT-2's converter does).
     */
    public static List<Slot> slots(ModelConfig c, boolean fusedQkv) {
        Architecture a = c.architecture();
        long e = c.embd();
        long q = c.queryDim();
        long kv = c.kvDim();
        long hidden = c.mlpHidden();
        boolean others = a.otherBiases();
        List<Slot> slots = new ArrayList<>();
        slots.add(new Slot(GgufNames.TOKEN_EMBD + ".weight", new long[] {c.vocabSize(), e}, TensorInit.NORMAL,
                w -> Source.of(w.tokenEmbedding())));
        if (a.learnedPositions()) {
            slots.add(new Slot(GgufNames.POSITION_EMBD + ".weight", new long[] {c.contextLength(), e}, TensorInit.NORMAL,
                    w -> Source.of(w.positionEmbedding())));
        }
        for (int i = 0; i < c.layers(); i++) {
            int l = i;
            norm(slots, block(l, GgufNames.ATTN_NORM), e, others, w -> w.layers().get(l).attentionNorm());
            if (fusedQkv) {
                linear(slots, block(l, GgufNames.ATTN_QKV), e, q + 2 * kv, a.qkvBias(), TensorInit.NORMAL, w -> w.layers().get(l).qkv());
            } else {
                linear(slots, block(l, GgufNames.ATTN_Q), e, q, a.qkvBias(), TensorInit.NORMAL, w -> w.layers().get(l).query());
                linear(slots, block(l, GgufNames.ATTN_K), e, kv, a.qkvBias(), TensorInit.NORMAL, w -> w.layers().get(l).key());
                linear(slots, block(l, GgufNames.ATTN_V), e, kv, a.qkvBias(), TensorInit.NORMAL, w -> w.layers().get(l).value());
            }
            linear(slots, block(l, GgufNames.ATTN_OUTPUT), q, e, others, TensorInit.RESIDUAL_PROJECTION,
                    w -> w.layers().get(l).attentionOutput());
            norm(slots, block(l, GgufNames.FFN_NORM), e, others, w -> w.layers().get(l).mlpNorm());
            if (a.mlp() == Architecture.Mlp.SWIGLU) {
                linear(slots, block(l, GgufNames.FFN_GATE), e, hidden, others, TensorInit.NORMAL, w -> w.layers().get(l).mlpGate());
            }
            linear(slots, block(l, GgufNames.FFN_UP), e, hidden, others, TensorInit.NORMAL, w -> w.layers().get(l).mlpUp());
            linear(slots, block(l, GgufNames.FFN_DOWN), hidden, e, others, TensorInit.RESIDUAL_PROJECTION,
                    w -> w.layers().get(l).mlpDown());
        }
        norm(slots, GgufNames.OUTPUT_NORM, e, others, ModelWeights::finalNorm);
        if (!c.tiedOutput()) {
            slots.add(new Slot(GgufNames.OUTPUT + ".weight", new long[] {c.vocabSize(), e}, TensorInit.NORMAL,
                    w -> matrix(w.unembedding())));
        }
        return slots;
    }

    private static void linear(List<Slot> slots, String stem, long in, long out, boolean bias, TensorInit init,
                               Function<ModelWeights, Linear> linear) {
        slots.add(new Slot(stem + ".weight", new long[] {out, in}, init, w -> matrix(linear.apply(w).weight())));
        if (bias) {
            slots.add(new Slot(stem + ".bias", new long[] {out}, TensorInit.ZEROS, w -> vector(stem + ".bias", linear.apply(w).bias())));
        }
    }

    private static void norm(List<Slot> slots, String stem, long width, boolean bias, Function<ModelWeights, NormWeights> norm) {
        slots.add(new Slot(stem + ".weight", new long[] {width}, TensorInit.ONES, w -> vector(stem + ".weight", norm.apply(w).weight())));
        if (bias) {
            slots.add(new Slot(stem + ".bias", new long[] {width}, TensorInit.ZEROS, w -> vector(stem + ".bias", norm.apply(w).bias())));
        }
    }

    /** A linear map's values as GGUF stores them, [out, in], whichever way it lies here. */
    private static Source matrix(WeightMatrix m) {
        return m.layout() == WeightMatrix.Layout.OUT_IN
                ? Source.of(new Tensor(m.name(), m.dtype(), new long[] {m.out(), m.in()}, m.data()))
                : new Source(new Tensor(m.name(), m.dtype(), new long[] {m.in(), m.out()}, m.data()), true);
    }

    private static Source vector(String name, float[] values) {
        return Source.of(new Tensor(name, DType.F32, new long[] {values.length}, MemorySegment.ofArray(values)));
    }
}
