package dev.jgpt.bench;

import dev.jgpt.tensor.DType;
import dev.jgpt.tensor.Kernels;
import dev.jgpt.tensor.Parallel;
import dev.jgpt.tensor.WeightMatrix;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.AuxCounters;
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
 * {@link Kernels#linear} on GPT-2 small's shapes, matvec (m = 1, memory-bound: read the
 * {@code gbytes} counter, GB/s of weights) and GEMM (m = 128, compute-bound: read {@code gflops}),
 * next to a DRAM bandwidth reference measured in the same run ({@code bandwidth}: a FloatVector
 * sum over 1 GiB, split across the same pool) and the pool's dispatch cost.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -jar jgpt-bench/target/benchmarks.jar KernelBench -f 1 -wi 3 -i 5
 * java --add-modules jdk.incubator.vector -jar jgpt-bench/target/benchmarks.jar KernelBench.linear -p m=1 -p dtype=F32
 * java --add-modules jdk.incubator.vector -jar jgpt-bench/target/benchmarks.jar KernelBench.linear -p dtype=Q8_0,Q4_0,Q4_K,Q6_K \
 *     -p shape=768x2304:OUT_IN,3072x768:OUT_IN,768x50257:OUT_IN
 * </pre>
 *
 * Quantized weights (stored [out, in], GGUF's layout, so OUT_IN shapes only) are bound by decoding
 * the blocks rather than by memory: read {@code gflops} for them.
 *
 * Weights live in memory-mapped temp files, as real models do; for matvecs, enough copies
 * (≥ 256 MiB) are cycled through that every call streams from DRAM, not from the L3.
 * {@code -p threads=1} runs on one thread. The host's bandwidth drifts from minute to minute:
 * compare GB/s with {@code bandwidth} of the same run, not with another day's.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class KernelBench {

    @State(Scope.Benchmark)
    public static class Weights {
        /** in x out : layout. */
        @Param({"768x2304:IN_OUT", "768x3072:IN_OUT", "3072x768:IN_OUT", "768x50257:OUT_IN"})
        public String shape;

        @Param({"F32", "F16", "BF16"})
        public DType dtype;

        @Param({"1", "128"})
        public int m;

        @Param({"0"})
        public int threads; // 0: the pool's default (the cores)

        /** Copies of the weights, cycled through so matvecs stream from DRAM, not from the 32 MiB L3. */
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
            String[] parts = shape.split("[x:]");
            int in = Integer.parseInt(parts[0]);
            int out = Integer.parseInt(parts[1]);
            WeightMatrix.Layout layout = WeightMatrix.Layout.valueOf(parts[2]);
            long n = (long) in * out;
            long bytes = dtype.byteSize(n);
            int count = m == 1 ? (int) Math.max(1, (256L << 20) / bytes + 1) : 1;
            SplittableRandom rnd = new SplittableRandom(1);
            file = Files.createTempFile("jgpt-bench-", ".bin");
            arena = Arena.ofShared();
            MemorySegment all;
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                all = ch.map(FileChannel.MapMode.READ_WRITE, 0, count * bytes, arena);
            }
            MemorySegment seg = all.asSlice(0, bytes);
            BenchWeights.fill(seg, dtype, in, out, parts[2], rnd); // GPT-2's init: realistic exponents, some F16 subnormals
            copies = new WeightMatrix[count];
            for (int c = 0; c < count; c++) {
                MemorySegment copy = all.asSlice(c * bytes, bytes);
                if (c > 0) {
                    copy.copyFrom(seg);
                }
                copies[c] = new WeightMatrix(shape, copy, dtype, in, out, layout);
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

    /** Per-second rates reported next to the score: weight GB/s read, GFLOP/s computed. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Rates {
        public double gbytes;
        public double gflops;
    }

    @Benchmark
    public float[] linear(Weights s, Rates r) {
        WeightMatrix w = s.copies[s.next];
        s.next = s.next + 1 == s.copies.length ? 0 : s.next + 1;
        Kernels.linear(s.x, s.m, w, s.bias, s.y);
        r.gbytes += s.gbytes;
        r.gflops += s.gflops;
        return s.y;
    }

    /** 1 GiB of floats in a mapped file, summed with FloatVectors by the pool's threads. */
    @State(Scope.Benchmark)
    public static class Memory implements Parallel.ChunkTask {
        static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
        static final long BYTES = 1L << 30;

        @Param({"0"})
        public int threads;

        MemorySegment seg;
        final float[] sums = new float[64];
        private Arena arena;
        private Path file;

        @Setup(Level.Trial)
        public void setup() throws IOException {
            if (threads > 0) {
                Parallel.setThreads(threads);
            }
            file = Files.createTempFile("jgpt-bench-bw-", ".bin");
            arena = Arena.ofShared();
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                seg = ch.map(FileChannel.MapMode.READ_WRITE, 0, BYTES, arena);
            }
            for (long i = 0; i < BYTES / 4; i++) {
                seg.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, (float) (i & 1023));
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            arena.close();
            Files.deleteIfExists(file);
        }

        /** Sums vectors [start, end) of the segment with four accumulators. */
        @Override
        public void run(int chunk, int start, int end) {
            int l = F.length();
            long bytesPerVector = 4L * l;
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            long off = start * bytesPerVector;
            long stop = end * bytesPerVector;
            for (; off < stop; off += 4 * bytesPerVector) {
                a0 = a0.add(FloatVector.fromMemorySegment(F, seg, off, ByteOrder.LITTLE_ENDIAN));
                a1 = a1.add(FloatVector.fromMemorySegment(F, seg, off + bytesPerVector, ByteOrder.LITTLE_ENDIAN));
                a2 = a2.add(FloatVector.fromMemorySegment(F, seg, off + 2 * bytesPerVector, ByteOrder.LITTLE_ENDIAN));
                a3 = a3.add(FloatVector.fromMemorySegment(F, seg, off + 3 * bytesPerVector, ByteOrder.LITTLE_ENDIAN));
            }
            sums[chunk] = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
        }
    }

    /** The bandwidth reference: GB/s = gbytes. */
    @Benchmark
    public float bandwidth(Memory s, Rates r) {
        int vectors = (int) (Memory.BYTES / (4L * Memory.F.length()));
        // chunk boundaries on multiples of 4 vectors (the loop's step)
        Parallel.forChunks(vectors / 4, Parallel.threads(), (c, start, end) -> s.run(c, start * 4, end * 4));
        r.gbytes += Memory.BYTES / 1e9;
        float t = 0;
        for (int c = 0; c < Parallel.threads(); c++) {
            t += s.sums[c];
        }
        return t;
    }

    private static final Parallel.ChunkTask NOTHING = (c, start, end) -> {};

    /** One region with a chunk per thread and nothing to do, back to back: workers are still spinning. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public void dispatch() {
        Parallel.forChunks(Parallel.threads(), Parallel.threads(), NOTHING);
    }

    /** Leaves the pool idle for 1 ms before each measured call, so the workers have parked. */
    @State(Scope.Thread)
    public static class Idle {
        @Setup(Level.Invocation)
        public void idle() throws InterruptedException {
            Thread.sleep(1);
        }
    }

    /** The same region after the workers parked: the cost of waking them. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public void dispatchAfterIdle(Idle idle) {
        Parallel.forChunks(Parallel.threads(), Parallel.threads(), NOTHING);
    }
}
