package dev.jgpt.convert;

import static dev.jgpt.format.GgufNames.ArchKey.BLOCK_COUNT;
import static dev.jgpt.format.GgufNames.ArchKey.CONTEXT_LENGTH;
import static dev.jgpt.format.GgufNames.ArchKey.EMBEDDING_LENGTH;
import static dev.jgpt.format.GgufNames.ArchKey.FEED_FORWARD_LENGTH;
import static dev.jgpt.format.GgufNames.ArchKey.HEAD_COUNT;
import static dev.jgpt.format.GgufNames.ArchKey.LAYER_NORM_EPSILON;

import dev.jgpt.format.FileType;
import dev.jgpt.format.FormatException;
import dev.jgpt.format.Gguf;
import dev.jgpt.format.GgufNames;
import dev.jgpt.format.GgufValue;
import dev.jgpt.format.GgufWriter;
import dev.jgpt.format.SafeTensors;
import dev.jgpt.format.TensorConversion.Source;
import dev.jgpt.format.TensorConversion;
import dev.jgpt.format.TensorSource;
import dev.jgpt.model.Architecture;
import dev.jgpt.model.ModelConfig;
import dev.jgpt.model.ModelWeights;
import dev.jgpt.model.load.HfTensors;
import dev.jgpt.model.load.HfConfig;
import dev.jgpt.model.load.ModelFiles;
import dev.jgpt.tensor.DType;
import dev.jgpt.tensor.Tensor;
import dev.jgpt.tokenizer.ByteLevelBpe;
import dev.jgpt.tokenizer.Tokenizer;
import dev.jgpt.tokenizer.TokenizerLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A model about to be written as a GGUF file of some tensor type: a GGUF file (re-quantized) or
 * a Hugging Face GPT-2 folder (converted to llama.cpp's {@code gpt2} layout: its tensor names,
 * {@code [out, in]} matrices, {@code gpt2.*} and {@code tokenizer.ggml.*} metadata).
 *
 * <p>Which tensor gets which type follows llama-quantize ({@link QuantizationMix}).
 */
public final class GgufExport implements AutoCloseable {
    private static final String ARCH = "gpt2";

    /**
     * One output tensor: its name, its values, the type it is written as, and the type the mix
     * wanted for it (another when its rows are not whole blocks of that one).
     */
    public record Planned(String name, Source source, DType type, DType wanted) {
        public boolean fallback() {
            return type != wanted;
        }
    }

    /** What a write did: tensor bytes before and after, and the tensors that fell back to another type. */
    public record Summary(int tensors, long bytesBefore, long bytesAfter, List<Planned> fallbacks) {}

    private final TensorSource resource;
    private final Map<String, GgufValue> metadata;
    private final Map<String, Source> tensors;

    private GgufExport(TensorSource resource, Map<String, GgufValue> metadata, Map<String, Source> tensors) {
        this.resource = resource;
        this.metadata = metadata;
        this.tensors = tensors;
    }

    /** A GGUF file, or else a Hugging Face GPT-2 folder. */
    public static GgufExport open(Path path) {
        return Files.isDirectory(path) ? fromHuggingFace(path) : fromGguf(path);
    }

    /** Every tensor and metadata value of a GGUF file, to be written again. */
    public static GgufExport fromGguf(Path file) {
        Gguf gguf = Gguf.open(file);
        Map<String, Source> tensors = new LinkedHashMap<>();
        gguf.tensors().forEach(t -> tensors.put(t.name(), Source.of(t)));
        return new GgufExport(gguf, new LinkedHashMap<>(gguf.metadata().asMap()), tensors);
    }

    /**
     * A Hugging Face folder: {@code config.json}, {@code model.safetensors} and a byte-level BPE
     * tokenizer; a GPT-2, or a Llama or Qwen2 ({@link #fromLlamaFamily}).
     */
    public static GgufExport fromHuggingFace(Path dir) {
        ModelConfig config = HfConfig.read(dir.resolve(ModelFiles.CONFIG));
        Tokenizer tokenizer = TokenizerLoader.fromDirectory(dir);
        if (!(tokenizer instanceof ByteLevelBpe bpe)) {
            throw new FormatException(dir, "a GGUF file needs a byte-level BPE tokenizer (GPT-2's kind); this model's is "
                    + tokenizer.getClass().getSimpleName());
        }
        if (!config.architecture().equals(Architecture.GPT2)) {
            return fromLlamaFamily(dir, bpe);
        }
        SafeTensors weights = SafeTensors.open(dir.resolve(ModelFiles.WEIGHTS));
        try {
            Map<String, GgufValue> metadata = gpt2Metadata(dir, config);
            metadata.putAll(vocabulary(dir, bpe, config.vocabSize()));
            return new GgufExport(weights, metadata, gpt2Tensors(weights, config));
        } catch (RuntimeException e) {
            weights.close();
            throw e;
        }
    }

    /**
     * A Llama or Qwen2 folder in llama.cpp's layout ({@link GgufModelWriter#slots}); a Llama's
     * queries and keys reordered to rotate adjacent pairs, as llama.cpp's {@code llama} does.
     */
    private static GgufExport fromLlamaFamily(Path dir, ByteLevelBpe bpe) {
        ModelFiles files = ModelFiles.open(dir);
        try {
            ModelWeights weights = files.config().architecture().name().equals("llama")
                    ? RotaryPairs.adjacent(files.transformer().weights()) : files.transformer().weights();
            ModelConfig config = weights.config();
            Map<String, GgufValue> metadata = GgufModelWriter.metadata(config);
            metadata.put(GgufNames.NAME, GgufValue.string(dir.toAbsolutePath().normalize().getFileName().toString()));
            metadata.putAll(vocabulary(dir, bpe, config.vocabSize()));
            Map<String, Source> tensors = new LinkedHashMap<>();
            for (GgufModelWriter.Slot slot : GgufModelWriter.slots(config, false)) {
                tensors.put(slot.name(), slot.source().apply(weights));
            }
            return new GgufExport(files.tensors(), metadata, tensors);
        } catch (RuntimeException e) {
            files.close();
            throw e;
        }
    }

    private static Map<String, GgufValue> gpt2Metadata(Path dir, ModelConfig c) {
        Map<String, GgufValue> m = new LinkedHashMap<>();
        m.put(GgufNames.ARCHITECTURE, GgufValue.string(ARCH));
        m.put(GgufNames.NAME, GgufValue.string(dir.toAbsolutePath().normalize().getFileName().toString()));
        m.put(BLOCK_COUNT.of(ARCH), GgufValue.u32(c.layers()));
        m.put(CONTEXT_LENGTH.of(ARCH), GgufValue.u32(c.contextLength()));
        m.put(EMBEDDING_LENGTH.of(ARCH), GgufValue.u32(c.embd()));
        m.put(FEED_FORWARD_LENGTH.of(ARCH), GgufValue.u32(c.mlpHidden()));
        m.put(HEAD_COUNT.of(ARCH), GgufValue.u32(c.heads()));
        m.put(LAYER_NORM_EPSILON.of(ARCH), GgufValue.f32(c.normEps()));
        m.put(GgufNames.FILE_TYPE, GgufValue.u32(FileType.F32.id()));
        return m;
    }

    /** GPT-2's tokenizer metadata; ids the tokenizer lacks up to {@code vocabSize} become unused "[PADn]" tokens. */
    private static Map<String, GgufValue> vocabulary(Path dir, ByteLevelBpe tokenizer, int vocabSize) {
        if (tokenizer.vocabSize() > vocabSize) {
            throw new FormatException(dir, "the tokenizer has " + tokenizer.vocabSize() + " tokens, more than vocab_size "
                    + vocabSize + " in " + ModelFiles.CONFIG);
        }
        return GgufModelWriter.vocabulary(tokenizer, vocabSize);
    }

    /** GPT-2's tensors under llama.cpp's names, Conv1D weights read transposed to [out, in]. */
    private static Map<String, Source> gpt2Tensors(SafeTensors weights, ModelConfig config) {
        Map<String, Source> tensors = new LinkedHashMap<>();
        for (HfTensors.Spec spec : HfTensors.of(config)) {
            add(tensors, weights, spec.name(), spec.shape());
        }
        if (weights.find("lm_head.weight").isPresent()) {
            add(tensors, weights, "lm_head.weight", config.vocabSize(), config.embd());
        } else {
            // llama.cpp's gpt2 loader requires output.weight: tied embeddings are written twice, as its converter does
            tensors.put(GgufNames.OUTPUT + ".weight", tensors.get(GgufNames.TOKEN_EMBD + ".weight"));
        }
        return tensors;
    }

    private static void add(Map<String, Source> tensors, SafeTensors weights, String name, long... shape) {
        Tensor t = weights.find(name).or(() -> weights.find("transformer." + name))
                .orElseThrow(() -> new FormatException(weights.file(), "missing tensor '" + name + "'"));
        if (!t.hasShape(shape)) {
            throw new FormatException(weights.file(), "tensor '" + t.name() + "' has shape " + Tensor.shapeString(t.shape())
                    + ", expected " + Tensor.shapeString(shape) + " from " + ModelFiles.CONFIG);
        }
        GgufNames.Gpt2Tensor mapped = GgufNames.gpt2FromHuggingFace(name).orElseThrow();
        tensors.put(mapped.gguf(), new Source(t, mapped.transposed()));
    }

    /** Every output tensor with the type {@code mix} gives it. */
    public List<Planned> plan(QuantizationMix mix) {
        List<String> names = new ArrayList<>(tensors.keySet());
        List<Source> sources = new ArrayList<>(tensors.values());
        List<QuantizationMix.Choice> choices = mix.choose(QuantizationMix.Shape.of(metadata), names,
                sources.stream().map(Source::shape).toList());
        List<Planned> plan = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            plan.add(new Planned(names.get(i), sources.get(i), choices.get(i).type(), choices.get(i).wanted()));
        }
        return plan;
    }

    /** The metadata the output gets (before {@code general.file_type} is set by {@link #write}). */
    public Map<String, GgufValue> metadata() {
        return Collections.unmodifiableMap(metadata);
    }

    public Optional<String> architecture() {
        GgufValue value = metadata.get(GgufNames.ARCHITECTURE);
        return value instanceof GgufValue.StringValue s ? Optional.of(s.value()) : Optional.empty();
    }

    /** Writes the model as a GGUF file with the types {@code mix} gives its tensors. */
    public Summary write(Path out, QuantizationMix mix, GgufWriter.Progress progress) {
        List<Planned> plan = plan(mix);
        Map<String, GgufValue> m = new LinkedHashMap<>(metadata);
        GgufModelWriter.setFileType(m, mix.fileType(), plan.stream().anyMatch(p -> p.type().isQuantized()));
        long before = 0;
        long after = 0;
        for (Planned p : plan) {
            before += p.source().tensor().data().byteSize();
            after += p.type().byteSize(p.source().tensor().elementCount());
        }
        GgufWriter.write(out, m, plan.stream().map(p -> TensorConversion.entry(p.name(), p.source(), p.type())).toList(), progress);
        return new Summary(plan.size(), before, after, plan.stream().filter(Planned::fallback).toList());
    }

    @Override
    public void close() {
        resource.close();
    }
}
