package dev.jgpt.bench;

import dev.jgpt.convert.RandomModel;
import dev.jgpt.model.KvCache;
import dev.jgpt.model.ModelConfig;
import dev.jgpt.model.Transformer;
import dev.jgpt.model.load.ModelFiles;
import dev.jgpt.tensor.DType;
import dev.jgpt.tensor.Parallel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the inspection hook costs a decode step: one token at position 128 of a random GPT-2 of the
 * shipped model's shape (4 layers, 8 heads, width 256, vocab 2048), with no probe ({@code none},
 * the usual case: one null check per block) and with a probe that does nothing ({@code noop}:
 * the calls, and attention keeping every query row).
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -jar jgpt-bench/target/benchmarks.jar DecodeProbeBench -f 1 -wi 5 -i 10
 * </pre>
 *
 * The {@code none} case touches no inspection type, so the same benchmark runs against a
 * Transformer built without the hook (put its classes first on the class path) for comparison.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Benchmark)
public class DecodeProbeBench {
    private static final int POSITION = 128;

    @Param({"none", "noop"})
    public String probe;

    @Param({"1"})
    public int threads;

    private Path folder;
    private ModelFiles model;
    private Transformer transformer;
    private KvCache cache;
    private int[] tokens;

    @Setup(Level.Trial)
    public void setup() throws IOException {
        Parallel.setThreads(threads);
        ModelConfig config = ModelConfig.gpt2(4, 8, 256, 256, 2048);
        folder = Files.createTempDirectory("jgpt-bench-decode");
        RandomModel.write(config, DType.F32, 1, folder);
        model = ModelFiles.open(folder);
        transformer = model.transformer();
        tokens = new SplittableRandom(2).ints(POSITION + 1, 0, config.vocabSize()).toArray();
        cache = transformer.newCache();
        transformer.forward(tokens, 0, POSITION, cache);
        if (probe.equals("noop")) {
            NoopProbe.attach(transformer);
        }
    }

    @Benchmark
    public float decodeStep() {
        cache.truncate(POSITION);
        return transformer.forward(tokens, POSITION, POSITION + 1, cache)[0];
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        model.close();
        try (Stream<Path> files = Files.list(folder)) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        }
        Files.delete(folder);
    }

    /** A probe that looks and keeps nothing: what remains is the cost of the hook itself. */
    static final class NoopProbe implements Transformer.Probe {
        static void attach(Transformer transformer) {
            transformer.setProbe(new NoopProbe());
        }

        @Override
        public void attention(int layer, int start, int rows, float[] weights, int headStride, int rowStride) {}

        @Override
        public void residual(int layer, int start, int rows, float[] x) {}
    }
}
