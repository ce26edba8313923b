package dev.jgpt.convert;

import dev.jgpt.format.SafeTensorsWriter;
import dev.jgpt.format.TensorConversion;
import dev.jgpt.model.Architecture;
import dev.jgpt.model.ModelConfig;
import dev.jgpt.model.load.HfTensors;
import dev.jgpt.model.load.HfConfig;
import dev.jgpt.model.load.ModelFiles;
import dev.jgpt.model.load.TensorInit;
import dev.jgpt.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Freshly initialised models: the starting point of training, and models of real size for
 * benchmarks without a download. Every architecture starts the same way, as GPT-2 and nanoGPT
 * do ({@link TensorInit}). A GPT-2 is written as a Hugging Face folder ({@link #write}) or, like any
 * architecture, as a GGUF file ({@link #gguf}). The same seed gives the same weights whatever
 * the number of threads and the dtype they are stored in.
 */
public final class RandomModel {

    private static final double STD = 0.02;

    private RandomModel() {}

    /** A GPT-2 as a Hugging Face folder: {@code config.json} and {@code model.safetensors} (not the tokenizer). */
    public static void write(ModelConfig config, DType dtype, long seed, Path directory) {
        List<SafeTensorsWriter.Entry> entries = new ArrayList<>();
        List<HfTensors.Spec> specs = HfTensors.of(config);
        for (int t = 0; t < specs.size(); t++) {
            int index = t;
            HfTensors.Spec spec = specs.get(t);
            entries.add(new SafeTensorsWriter.Entry(spec.name(), dtype, spec.shape(),
                    segment -> initialize(config, seed, index, segment, dtype)));
        }
        HfConfig.write(config, directory.resolve(ModelFiles.CONFIG));
        SafeTensorsWriter.write(directory.resolve(ModelFiles.WEIGHTS), entries, Map.of("format", "pt"));
    }

    /**
     * Fills {@code segment} (the whole tensor, as {@code dtype}) with the initial values of tensor
     * number {@code index} of {@link HfTensors#of}: the same values for the same seed wherever
     * the tensor is written, a file or a training model's parameters.
     */
    public static void initialize(ModelConfig config, long seed, int index, MemorySegment segment, DType dtype) {
        HfTensors.Spec spec = HfTensors.of(config).get(index);
        fill(spec.init(), spec.shape(), config.layers(), seed, index, dtype, segment);
    }

    /**
     * A fresh model of any architecture as a GGUF file in llama.cpp's layout
     * ({@link GgufModelWriter#slots}: separate q, k, v except GPT-2's fused one), matrices as
     * {@code type} where their rows allow it ({@link GgufExport#typeFor}), vectors F32. The
     * caller adds the tokenizer's metadata and writes it; tensors are made as they are written.
     */
    public static GgufModelWriter.Contents gguf(ModelConfig config, DType type, long seed) {
        boolean fused = config.architecture().equals(Architecture.GPT2);
        return GgufModelWriter.contents(config, type, fused,
                (index, slot, dtype, dst) -> fill(slot.init(), slot.shape(), config.layers(), seed, index, dtype, dst));
    }

    /**
     * Writes tensor number {@code index} of a model of {@code layers} layers, {@code shape}
     * row-major, as {@code dtype} into {@code dst}. Each row draws from its own generator, seeded
     * by the model's seed, the tensor's index and the row, so rows can be made in any order.
     */
    private static void fill(TensorInit init, long[] shape, int layers, long seed, int index, DType dtype, MemorySegment dst) {
        double std = init == TensorInit.RESIDUAL_PROJECTION ? STD / Math.sqrt(2.0 * layers) : STD;
        long tensorSeed = seed * 1_000_003L + index;
        int columns = Math.toIntExact(shape[shape.length - 1]);
        long rows = Arrays.stream(shape).reduce(1, Math::multiplyExact) / columns;
        TensorConversion.write((first, count, values) -> {
            for (int r = 0; r < count; r++) {
                int at = r * columns;
                switch (init) {
                    case ZEROS -> Arrays.fill(values, at, at + columns, 0f);
                    case ONES -> Arrays.fill(values, at, at + columns, 1f);
                    case NORMAL, RESIDUAL_PROJECTION -> {
                        SplittableRandom random = new SplittableRandom(tensorSeed * 0x9E3779B97F4A7C15L + first + r);
                        for (int c = 0; c < columns; c++) {
                            values[at + c] = (float) (random.nextGaussian() * std);
                        }
                    }
                }
            }
        }, rows, columns, dtype, dst);
    }
}
