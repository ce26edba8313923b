package dev.jgpt.lora;

import dev.jgpt.format.FormatException;
import dev.jgpt.format.Gguf;
import dev.jgpt.format.GgufValue;
import dev.jgpt.format.GgufWriter;
import dev.jgpt.format.SafeTensorsWriter.Entry;
import dev.jgpt.format.TensorConversion;
import dev.jgpt.convert.GgufModelWriter;
import dev.jgpt.model.load.ModelFiles;
import dev.jgpt.convert.QuantizationMix;
import dev.jgpt.tensor.DType;
import dev.jgpt.tensor.LowRank;
import dev.jgpt.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A GGUF model with LoRA adapters merged into its weights: each adapted weight becomes
 * {@code W + Σ scale · B·A}, computed on the weight's rows decoded to floats and encoded again in
 * the weight's own type (or the type a {@link QuantizationMix} gives it); every other tensor and
 * all metadata are copied. The file is written atomically.
 */
public final class LoraMerge {
    /** What a merge wrote: its tensors, and how many of them the adapters changed. */
    public record Summary(int tensors, int merged) {}

    private LoraMerge() {}

    /**
     * Writes {@code base} with {@code adapters} merged to {@code out}; {@code mix} (null: each
     * tensor keeps its type) chooses the types of the output's tensors.
     */
    public static Summary write(Path base, List<LoraFile> adapters, Path out, QuantizationMix mix,
                                GgufWriter.Progress progress) {
        try (ModelFiles model = ModelFiles.open(base)) {
            Gguf gguf = model.gguf().orElseThrow(() -> new FormatException(base,
                    "adapters merge into a GGUF model; write this one as GGUF first (export-gguf)"));
            Map<String, LowRank> terms = Adapters.terms(model, adapters);
            List<Tensor> tensors = gguf.tensors();
            Map<String, GgufValue> metadata = new LinkedHashMap<>(gguf.metadata().asMap());
            List<DType> types = tensors.stream().map(Tensor::dtype).toList();
            if (mix != null) {
                types = mix.choose(QuantizationMix.Shape.of(metadata), tensors.stream().map(Tensor::name).toList(),
                        tensors.stream().map(Tensor::shape).toList()).stream().map(QuantizationMix.Choice::type).toList();
                GgufModelWriter.setFileType(metadata, mix.fileType(), types.stream().anyMatch(DType::isQuantized));
            }
            List<Entry> entries = new ArrayList<>();
            for (int i = 0; i < tensors.size(); i++) {
                Tensor t = tensors.get(i);
                LowRank term = terms.get(t.name());
                entries.add(term == null ? TensorConversion.entry(t.name(), TensorConversion.Source.of(t), types.get(i))
                        : merged(t, term, types.get(i)));
            }
            GgufWriter.write(out, metadata, entries, progress);
            return new Summary(tensors.size(), terms.size());
        }
    }

    /** The weight {@code w} [out, in] plus the term's matrix, written as {@code type}. */
    private static Entry merged(Tensor w, LowRank term, DType type) {
        int columns = term.in();
        return new Entry(w.name(), type, w.shape(), dst -> TensorConversion.write((first, count, values) -> {
            w.dtype().decode(w.data(), first * columns, values, 0, count * columns);
            term.addToWeightRows(first, count, values);
        }, term.out(), columns, type, dst));
    }
}
