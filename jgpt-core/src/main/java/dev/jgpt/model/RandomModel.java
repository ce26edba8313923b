package dev.jgpt.model;

import dev.jgpt.format.SafeTensorsWriter;
import dev.jgpt.tensor.DType;
import dev.jgpt.tensor.Parallel;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes a freshly initialised GPT-2 ({@code config.json} + {@code model.safetensors}): the
 * starting point of training, and a model of real size for benchmarks without a download.
 * The same seed gives the same weights whatever the number of threads.
 */
public final class RandomModel {
    private static final double STD = 0.02;
    private static final int CHUNK = 1 << 16;

    private RandomModel() {}

    public static void write(ModelConfig config, DType dtype, long seed, Path directory) {
        List<SafeTensorsWriter.Entry> entries = new ArrayList<>();
        List<Gpt2Tensors.Spec> specs = Gpt2Tensors.of(config);
        for (int t = 0; t < specs.size(); t++) {
            int index = t;
            Gpt2Tensors.Spec spec = specs.get(t);
            entries.add(new SafeTensorsWriter.Entry(spec.name(), dtype, spec.shape(),
                    segment -> initialize(config, seed, index, segment, dtype)));
        }
        HfConfig.write(config, directory.resolve(ModelFiles.CONFIG));
        SafeTensorsWriter.write(directory.resolve(ModelFiles.WEIGHTS), entries, Map.of("format", "pt"));
    }

    /**
     * Fills {@code segment} (the whole tensor, as {@code dtype}) with the initial values of tensor
     * number {@code index} of {@link Gpt2Tensors#of}: the same values for the same seed wherever
     * the tensor is written, a file or a training model's parameters.
     */
    public static void initialize(ModelConfig config, long seed, int index, MemorySegment segment, DType dtype) {
        Gpt2Tensors.Spec spec = Gpt2Tensors.of(config).get(index);
        double std = spec.init() == Gpt2Tensors.Init.RESIDUAL_PROJECTION ? STD / Math.sqrt(2.0 * config.layers()) : STD;
        fill(segment, dtype, spec.init(), std, seed * 1_000_003L + index);
    }

    private static void fill(MemorySegment segment, DType dtype, Gpt2Tensors.Init init, double std, long seed) {
        long count = segment.byteSize() / dtype.bytes();
        int chunks = (int) ((count + CHUNK - 1) / CHUNK);
        Parallel.forRange(chunks, (c0, c1) -> {
            for (int c = c0; c < c1; c++) {
                // one generator per chunk keeps the values independent of how chunks meet threads
                SplittableRandom random = new SplittableRandom(seed * 65_537L + c);
                long end = Math.min(count, (long) (c + 1) * CHUNK);
                for (long i = (long) c * CHUNK; i < end; i++) {
                    float value = switch (init) {
                        case NORMAL, RESIDUAL_PROJECTION -> (float) (random.nextGaussian() * std);
                        case ZEROS -> 0f;
                        case ONES -> 1f;
                    };
                    dtype.write(segment, i, value);
                }
            }
        });
    }
}
