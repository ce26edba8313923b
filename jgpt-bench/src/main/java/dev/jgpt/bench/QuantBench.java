package dev.jgpt.bench;

import dev.jgpt.tensor.DType;
import dev.jgpt.tensor.Kernels;
import dev.jgpt.tensor.Parallel;
import dev.jgpt.tensor.WeightMatrix;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
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
 * {@link Kernels#linear} on quantized weights ([out, in], GGUF's layout) at GPT-2 small's shapes:
 * matvec (m = 1: read {@code gflops}, these kernels are bound by decoding rather than by memory,
 * and {@code gbytes}, GB/s of blocks read) and GEMM (m = 128, prompt processing). The
 * {@code bandwidth} benchmark is the DRAM reference of the same run ({@link KernelBench.Memory}).
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -jar jgpt-bench/target/benchmarks.jar QuantBench -f 1 -wi 3 -i 5
 * java --add-modules jdk.incubator.vector -jar jgpt-bench/target/benchmarks.jar 'QuantBench.linear' -p m=1 -p dtype=Q8_0,Q4_0
 * </pre>
 *
 * Weights (N(0, 0.02) quantized by {@code Quantization.quantizeRow}) live in memory-mapped temp
 * files; for matvecs enough copies (≥ 256 MiB) are cycled through that every call streams from DRAM.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class QuantBench {

    @State(Scope.Benchmark)
    public static class Weights {
        /** in x out (weights stored [out, in]): GPT-2's qkv, MLP down-projection and unembedding. */
        @Param({"768x2304", "3072x768", "768x50257"})
        public String shape;

        @Param({"Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q4_K", "Q5_K", "Q6_K"})
        public DType dtype;

        @Param({"1", "128"})
        public int m;

        @Param({"0"})
        public int threads; // 0: the pool's default (the cores)

        WeightMatrix[] copies;
        int next;
        float[] x;
        float[] y;
        float[] bias;
        double gbytes;
        double gflops;
        private Arena arena;
        private Path file;

        @Setup(Level.Trial)
        public void setup() throws IOException {
            if (threads > 0) {
                Parallel.setThreads(threads);
            }
            String[] parts = shape.split("x");
            int in = Integer.parseInt(parts[0]);
            int out = Integer.parseInt(parts[1]);
            long n = (long) in * out;
            long bytes = dtype.byteSize(n);
            int count = m == 1 ? (int) Math.max(1, (256L << 20) / bytes + 1) : 1;
            file = Files.createTempFile("jgpt-bench-q-", ".bin");
            arena = Arena.ofShared();
            MemorySegment all;
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                all = ch.map(FileChannel.MapMode.READ_WRITE, 0, count * bytes, arena);
            }
            SplittableRandom rnd = new SplittableRandom(1);
            MemorySegment seg = all.asSlice(0, bytes);
            BenchWeights.fill(seg, dtype, out, in, rnd);
            copies = new WeightMatrix[count];
            for (int c = 0; c < count; c++) {
                MemorySegment copy = all.asSlice(c * bytes, bytes);
                if (c > 0) {
                    copy.copyFrom(seg);
                }
                copies[c] = new WeightMatrix(shape, copy, dtype, in, out, WeightMatrix.Layout.OUT_IN);
            }
            x = new float[m * in];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rnd.nextGaussian();
            }
            y = new float[m * out];
            bias = new float[out];
            gbytes = bytes / 1e9;
            gflops = 2.0 * m * n / 1e9;
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            arena.close();
            Files.deleteIfExists(file);
        }
    }

    @Benchmark
    public float[] linear(Weights s, KernelBench.Rates r) {
        WeightMatrix w = s.copies[s.next];
        s.next = s.next + 1 == s.copies.length ? 0 : s.next + 1;
        Kernels.linear(s.x, s.m, w, s.bias, s.y);
        r.gbytes += s.gbytes;
        r.gflops += s.gflops;
        return s.y;
    }

    /** The bandwidth reference of the same run: GB/s = gbytes. */
    @Benchmark
    public float bandwidth(KernelBench.Memory s, KernelBench.Rates r) {
        return new KernelBench().bandwidth(s, r);
    }
}
