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
    private static final long CHUNK = 1L << 20;

    private MemoryBandwidth() {}

    /** Best read bandwidth over {@code passes} passes of a 1 GiB buffer, in bytes per second. */
    public static double measure(int passes) {
        return measure(DEFAULT_BYTES, passes);
    }

    public static double measure(long bytes, int passes) {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment buffer = arena.allocate(bytes, 64);
            buffer.fill((byte) 1);
            // warm up on a cache-sized prefix so the timed passes run compiled vector code
            MemorySegment prefix = buffer.asSlice(0, Math.min(bytes, 16L * CHUNK));
            float sink = 0;
            for (int i = 0; i < 200; i++) {
                sink += read(prefix);
            }
            double best = 0;
            for (int pass = 0; pass < passes; pass++) {
                long start = System.nanoTime();
                sink += read(buffer);
                best = Math.max(best, bytes / ((System.nanoTime() - start) / 1e9));
            }
            return sink == 42f ? best + Float.MIN_VALUE : best; // uses the sums so they are not dropped
        }
    }

    /** Sums the buffer as floats, in 1 MiB chunks that the pool's threads take in turn. */
    private static float read(MemorySegment buffer) {
        int chunks = (int) (buffer.byteSize() / CHUNK);
        float[] partial = new float[chunks];
        Parallel.forChunks(chunks, chunks, (c, start, end) -> partial[c] = sumChunk(buffer, (long) c * CHUNK));
        float sum = 0;
        for (float p : partial) {
            sum += p;
        }
        return sum;
    }

    /** The floats of one chunk summed with four independent accumulators (one add chain would be latency-bound). */
    private static float sumChunk(MemorySegment buffer, long from) {
        FloatVector a = FloatVector.zero(F);
        FloatVector b = FloatVector.zero(F);
        FloatVector c = FloatVector.zero(F);
        FloatVector d = FloatVector.zero(F);
        long step = F.vectorByteSize();
        for (long at = from, end = from + CHUNK; at < end; at += 4 * step) {
            a = a.add(FloatVector.fromMemorySegment(F, buffer, at, ByteOrder.LITTLE_ENDIAN));
            b = b.add(FloatVector.fromMemorySegment(F, buffer, at + step, ByteOrder.LITTLE_ENDIAN));
            c = c.add(FloatVector.fromMemorySegment(F, buffer, at + 2 * step, ByteOrder.LITTLE_ENDIAN));
            d = d.add(FloatVector.fromMemorySegment(F, buffer, at + 3 * step, ByteOrder.LITTLE_ENDIAN));
        }
        return VectorMath.sum(a.add(b).add(c.add(d)));
    }
}
