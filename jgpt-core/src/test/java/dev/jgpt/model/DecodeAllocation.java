package dev.jgpt.model;

import dev.jgpt.tensor.Parallel;
import java.lang.management.ManagementFactory;
import java.util.Random;

/**
 * Prints the bytes that 50 warm decode steps of a Llama-shaped model allocate on the calling
 * thread (0 expected). Run in a JVM of its own by {@link DecodeAllocationTest}.
 */
final class DecodeAllocation {
    private DecodeAllocation() {}

    public static void main(String[] args) {
        ModelConfig config = new ModelConfig(Architecture.llama(Rope.of(Rope.Style.NORM, 16, 10000)), 2, 8, 2, 128, 344, 512,
                300, 1e-5f, false);
        Transformer transformer = new Transformer(new RandomModels(5).weights(config, false));
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Parallel.setThreads(1); // the calling thread does all the work, so its counter sees it all
        Random random = new Random(6);
        int[] tokens = new int[512];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = random.nextInt(config.vocabSize());
        }
        KvCache cache = transformer.newCache();
        long allocated = -1;
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (allocated != 0 && System.nanoTime() < deadline) {
            cache.clear();
            for (int p = 0; p < 400; p++) { // warm-up: until C2 has compiled the decode path
                transformer.forward(tokens, p, p + 1, cache);
            }
            long start = mx.getCurrentThreadAllocatedBytes();
            for (int p = 400; p < 450; p++) {
                transformer.forward(tokens, p, p + 1, cache);
            }
            allocated = mx.getCurrentThreadAllocatedBytes() - start;
        }
        System.out.println(allocated);
    }
}
