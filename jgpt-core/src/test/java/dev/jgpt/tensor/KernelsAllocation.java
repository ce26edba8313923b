package dev.jgpt.tensor;

import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Prints the bytes that warm {@link Kernels#linear} calls of every dtype and layout (matvec, a
 * few rows, GEMM) allocate on the calling thread (0 expected): a Vector API value that C2 fails
 * to keep in registers is boxed on the heap, which shows up here as allocation (and in speed as
 * a 10× slowdown). Run in a JVM of its own by {@link KernelsAllocationTest}.
 */
final class KernelsAllocation {
    private KernelsAllocation() {}

    public static void main(String[] args) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Parallel.setThreads(1); // the calling thread does all the work, so its counter sees it all
        Random rnd = new Random(5);
        try (Arena arena = Arena.ofShared()) {
            List<WeightMatrix> weights = new ArrayList<>();
            for (DType dtype : DType.values()) {
                for (WeightMatrix.Layout layout : WeightMatrix.Layout.values()) {
                    if (!dtype.isQuantized() || layout == WeightMatrix.Layout.OUT_IN) { // quantized: [out, in] only
                        weights.add(KernelsTest.randomWeights(arena, rnd, dtype, 256, 192, layout));
                    }
                }
            }
            float[] x = KernelsTest.random(rnd, 16 * 256);
            float[] bias = KernelsTest.random(rnd, 192);
            float[] y = new float[16 * 192];
            int[] rows = {1, 4, 16}; // matvec, a few rows, GEMM
            long allocated = -1;
            long deadline = System.nanoTime() + 150_000_000_000L; // a loaded machine compiles slowly; FreshJvm allows 3 minutes
            while (allocated != 0 && System.nanoTime() < deadline) {
                for (int round = 0; round < 300; round++) { // warm-up: until C2 has compiled everything
                    for (WeightMatrix w : weights) {
                        for (int m : rows) {
                            Kernels.linear(x, m, w, bias, y);
                        }
                    }
                }
                long start = mx.getCurrentThreadAllocatedBytes();
                for (int round = 0; round < 20; round++) {
                    for (WeightMatrix w : weights) {
                        for (int m : rows) {
                            Kernels.linear(x, m, w, bias, y);
                        }
                    }
                }
                allocated = mx.getCurrentThreadAllocatedBytes() - start;
            }
            System.out.println(allocated);
        }
    }
}
