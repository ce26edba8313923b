package dev.jgpt.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Measures how fast this machine streams memory into the CPU, the ceiling of memory-bound work
 * such as generating a token (every weight read once). Reads an off-heap buffer much larger
 * than the caches with the same thread pool and vector width the kernels use.
 */
public final class MemoryBandwidth {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final long DEFAULT_BYTES = 1L << 30;

    private MemoryBandwidth() {}

    /** Best read bandwidth over {@code passes} passes of a 1 GiB buffer, in bytes per second. */
    public static double measure(int passes) {
        return measure(DEFAULT_BYTES, passes);
    }

    public static double measure(long bytes, int passes) {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment buffer = arena.allocate(bytes, 64);
            buffer.fill((byte) 1);
            double best = 0;
            for (int pass = 0; pass < passes; pass++) {
                long start = System.nanoTime();
                float sink = read(buffer);
                long elapsed = System.nanoTime() - start;
                if (sink == 42f) {
                    System.identityHashCode(buffer); // keeps the sum alive
                }
                best = Math.max(best, bytes / (elapsed / 1e9));
            }
            return best;
        }
    }

    /** Sums the buffer as floats, split across the pool in contiguous ranges. */
    private static float read(MemorySegment buffer) {
        int chunkBytes = 1 << 20;
        int chunks = (int) (buffer.byteSize() / chunkBytes);
        float[] partial = new float[chunks];
        Parallel.forRange(chunks, (c0, c1) -> {
            FloatVector a = FloatVector.zero(F);
            FloatVector b = FloatVector.zero(F);
            int step = F.vectorByteSize();
            for (long at = (long) c0 * chunkBytes, end = (long) c1 * chunkBytes; at < end; at += 2L * step) {
                a = a.add(FloatVector.fromMemorySegment(F, buffer, at, ByteOrder.LITTLE_ENDIAN));
                b = b.add(FloatVector.fromMemorySegment(F, buffer, at + step, ByteOrder.LITTLE_ENDIAN));
            }
            partial[c0] = a.add(b).reduceLanes(VectorOperators.ADD);
        });
        float sum = 0;
        for (float p : partial) {
            sum += p;
        }
        return sum;
    }
}
