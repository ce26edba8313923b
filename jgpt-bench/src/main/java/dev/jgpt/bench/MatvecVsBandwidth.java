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
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Kernels#linear} against the memory bandwidth, interleaved: 60 ms of the kernel between
 * two reads of a 256 MiB reference, repeated. On a host whose bandwidth drifts from minute to
 * minute (24-58 GB/s here) the ratio of neighbouring windows is steadier than JMH's sequential
 * runs. Weights in memory-mapped temp files; matvecs cycle through ≥ 256 MiB of copies.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp jgpt-bench/target/benchmarks.jar dev.jgpt.bench.MatvecVsBandwidth \
 *      [dtype=F32|F16|BF16|Q8_0|Q4_0|... (F32,F16,BF16)] [shape=768x2304:IN_OUT,... (GPT-2's)] [m=1] [windows=15] [threads]
 * </pre>
 * Quantized weights are [out, in] only: give OUT_IN shapes (768x2304:OUT_IN,3072x768:OUT_IN,768x50257:OUT_IN).
 * GFLOP/s are printed for matvecs too, the measure of compute-bound (quantized) kernels.
 * <pre>
 * </pre>
 */
public final class MatvecVsBandwidth {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final long REF_BYTES = 256L << 20;

    private MatvecVsBandwidth() {}

    public static void main(String[] args) throws IOException {
        String dtypes = args.length > 0 ? args[0] : "F32,F16,BF16";
        String shapes = args.length > 1 ? args[1] : "768x2304:IN_OUT,768x3072:IN_OUT,3072x768:IN_OUT,768x50257:OUT_IN";
        int m = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        int windows = args.length > 3 ? Integer.parseInt(args[3]) : 15;
        if (args.length > 4) {
            Parallel.setThreads(Integer.parseInt(args[4]));
        }
        try (Arena arena = Arena.ofShared()) {
            MemorySegment ref = map(arena, REF_BYTES);
            for (long i = 0; i < REF_BYTES / 4; i++) {
                ref.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, i & 1023);
            }
            System.out.printf("threads=%d m=%d, %d windows; best and median of each, and the median of the per-window ratios%n",
                    Parallel.threads(), m, windows);
            for (String d : dtypes.split(",")) {
                for (String shape : shapes.split(",")) {
                    run(arena, ref, DType.valueOf(d), shape, m, windows);
                }
            }
        }
    }

    private static void run(Arena arena, MemorySegment ref, DType dtype, String shape, int m, int windows) throws IOException {
        String[] parts = shape.split("[x:]");
        int in = Integer.parseInt(parts[0]);
        int out = Integer.parseInt(parts[1]);
        long n = (long) in * out;
        long bytes = dtype.byteSize(n);
        int count = m == 1 ? (int) Math.max(1, (256L << 20) / bytes + 1) : 1;
        MemorySegment all = map(arena, count * bytes);
        SplittableRandom rnd = new SplittableRandom(1);
        BenchWeights.fill(all, dtype, in, out, parts[2], rnd);
        WeightMatrix[] copies = new WeightMatrix[count];
        for (int c = 0; c < count; c++) {
            MemorySegment copy = all.asSlice(c * bytes, bytes);
            if (c > 0) {
                copy.copyFrom(all.asSlice(0, bytes));
            }
            copies[c] = new WeightMatrix(shape, copy, dtype, in, out, WeightMatrix.Layout.valueOf(parts[2]));
        }
        float[] x = new float[m * in];
        float[] y = new float[m * out];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        int next = 0;
        long warm = System.nanoTime() + 2_000_000_000L;
        while (System.nanoTime() < warm) {
            Kernels.linear(x, m, copies[next], null, y);
            next = (next + 1) % count;
        }
        readAll(ref);
        List<Double> kernel = new ArrayList<>();
        List<Double> refs = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        List<Double> flops = new ArrayList<>();
        for (int t = 0; t < windows; t++) {
            double before = readAll(ref);
            long t0 = System.nanoTime();
            int calls = 0;
            while (System.nanoTime() - t0 < 60_000_000L) {
                Kernels.linear(x, m, copies[next], null, y);
                next = (next + 1) % count;
                calls++;
            }
            double seconds = (System.nanoTime() - t0) / 1e9 / calls;
            double bw = (before + readAll(ref)) / 2;
            double gbs = bytes / seconds / 1e9;
            kernel.add(m == 1 ? gbs : 2.0 * m * n / seconds / 1e9);
            flops.add(2.0 * m * n / seconds / 1e9);
            refs.add(bw);
            ratios.add(gbs / bw);
        }
        Collections.sort(flops);
        Collections.sort(kernel);
        Collections.sort(refs);
        Collections.sort(ratios);
        System.out.printf("%-5s %-17s %s best %6.1f median %6.1f | GFLOP/s median %6.1f | bandwidth GB/s best %5.1f median %5.1f | GB/s ratio median %.2f%n",
                dtype, shape, m == 1 ? "GB/s   " : "GFLOP/s", kernel.getLast(), kernel.get(windows / 2), flops.get(windows / 2),
                refs.getLast(), refs.get(windows / 2), ratios.get(windows / 2));
    }

    private static final float[] SUMS = new float[256];

    /** GB/s of a FloatVector sum over the reference, split across the pool like the kernels. */
    private static double readAll(MemorySegment ref) {
        long t0 = System.nanoTime();
        long bpv = 4L * F.length();
        int steps = (int) (ref.byteSize() / (4 * bpv));
        Parallel.forChunks(steps, Parallel.threads(), (c, start, end) -> {
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            for (long off = start * 4 * bpv, stop = end * 4 * bpv; off < stop; off += 4 * bpv) {
                a0 = a0.add(FloatVector.fromMemorySegment(F, ref, off, ByteOrder.LITTLE_ENDIAN));
                a1 = a1.add(FloatVector.fromMemorySegment(F, ref, off + bpv, ByteOrder.LITTLE_ENDIAN));
                a2 = a2.add(FloatVector.fromMemorySegment(F, ref, off + 2 * bpv, ByteOrder.LITTLE_ENDIAN));
                a3 = a3.add(FloatVector.fromMemorySegment(F, ref, off + 3 * bpv, ByteOrder.LITTLE_ENDIAN));
            }
            SUMS[c] = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
        });
        return ref.byteSize() / ((System.nanoTime() - t0) / 1e9) / 1e9;
    }

    private static MemorySegment map(Arena arena, long bytes) throws IOException {
        Path file = Files.createTempFile("jgpt-bench-", ".bin");
        file.toFile().deleteOnExit();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            return ch.map(FileChannel.MapMode.READ_WRITE, 0, bytes, arena);
        } finally {
            Files.deleteIfExists(file); // the mapping stays valid; the file goes when it is unmapped
        }
    }
}
