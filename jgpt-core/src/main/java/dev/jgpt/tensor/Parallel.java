package dev.jgpt.tensor;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one thread pool every kernel shares. Work is split into contiguous ranges of an index
 * (usually output rows); the calling thread does a share itself.
 *
 * <p>The pool is persistent: {@code threads() - 1} daemon workers plus the caller. Between calls
 * the workers spin for 100 µs (a decode step dispatches many regions in a row; dispatching to a
 * spinning worker costs ~1 µs), then park, so that idle workers do not steal the cores from
 * serial work. Chunks are claimed dynamically, and a worker that wakes after the caller has
 * claimed everything simply stays out: no call waits for a wake-up.
 *
 * <p>A call made from inside a task (nested), or while another thread is using the pool, runs
 * inline on the calling thread: correct, never deadlocking, just not parallel. An exception
 * thrown by a task is rethrown to the caller once all chunks have stopped.
 */
public final class Parallel {
    /** A body that handles indices [start, end). */
    @FunctionalInterface
    public interface RangeTask {
        void run(int start, int end);
    }

    /** A body that handles chunk {@code chunk}, which covers indices [start, end). */
    @FunctionalInterface
    public interface ChunkTask {
        void run(int chunk, int start, int end);
    }

    /** How long an idle worker spins for the next region before parking. */
    private static final long IDLE_SPIN_NANOS = 100_000;
    /** How long a caller spins for the workers still running a chunk before parking. */
    private static final long WAIT_SPIN_NANOS = 200_000;

    private static final Object CONFIG = new Object();
    private static volatile int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    private static volatile Pool pool;

    private Parallel() {}

    /** Runs {@code task} over [0, n), split across the pool's threads; returns when all are done. */
    public static void forRange(int n, RangeTask task) {
        if (n <= 0) {
            return;
        }
        int chunks = Math.min(n, threads);
        if (chunks <= 1) {
            task.run(0, n);
            return;
        }
        Pool p = pool();
        if (!p.tryEnter()) {
            task.run(0, n);
            return;
        }
        p.run(n, chunks, task, null);
    }

    /**
     * Runs {@code task} over [0, n) split into {@code chunks} contiguous near-equal ranges
     * (chunk {@code c} covers {@code [c·n/chunks, (c+1)·n/chunks)}); threads claim chunks in
     * order until none is left. Use it when a task needs its chunk's index, e.g. to write a
     * per-chunk partial result. Returns when all chunks are done.
     */
    public static void forChunks(int n, int chunks, ChunkTask task) {
        if (n <= 0) {
            return;
        }
        chunks = Math.max(1, Math.min(chunks, n));
        Pool p = chunks == 1 || threads == 1 ? null : pool();
        if (p == null || !p.tryEnter()) {
            for (int c = 0; c < chunks; c++) {
                task.run(c, chunkStart(n, chunks, c), chunkStart(n, chunks, c + 1));
            }
            return;
        }
        p.run(n, chunks, null, task);
    }

    /** Number of threads work is split across (the caller included). */
    public static int threads() {
        return threads;
    }

    /**
     * Sets the number of threads (the caller included) work is split across; {@code n ≥ 1}.
     * Best called once at startup; if the pool is running work, waits for it to finish first.
     */
    public static void setThreads(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + n);
        }
        synchronized (CONFIG) {
            Pool old = pool;
            if (old != null && old.size == n) {
                return;
            }
            if (old != null) {
                old.shutdown();
            }
            pool = null;
            threads = n;
        }
    }

    static int chunkStart(int n, int chunks, int c) {
        return (int) ((long) n * c / chunks);
    }

    private static Pool pool() {
        Pool p = pool;
        if (p == null) {
            synchronized (CONFIG) {
                p = pool;
                if (p == null) {
                    p = new Pool(threads);
                    pool = p;
                }
            }
        }
        return p;
    }

    /**
     * Workers plus the state of the one region in flight.
     *
     * <p>A region: the caller publishes the task and bumps {@link #signal}; workers that see it
     * <em>join</em> the region (unless the caller already closed it), claim chunks until none is
     * left, and leave. The caller claims chunks too, then closes the region and waits only for
     * the workers inside. A worker that wakes late finds the region closed and does nothing, so
     * the caller never waits for a wake-up (50-100 µs on a VM) when it could do the work itself.
     */
    private static final class Pool {
        private static final long CLOSED = 1L << 31;
        private static final long INSIDE = CLOSED - 1;

        final int size;
        final Worker[] workers;
        final ReentrantLock lock = new ReentrantLock();

        // The region in flight: written by the caller before the volatile write of signal.
        int n;
        int chunks;
        RangeTask rangeTask;
        ChunkTask chunkTask;
        int generation; // the caller's count of regions
        /** (generation << 16) | helpers: one volatile read tells a worker that a region began and whether it may help. */
        volatile long signal;
        /** (generation << 32) | CLOSED? | number of workers inside the region. */
        final AtomicLong region = new AtomicLong();
        volatile boolean stopped;
        final AtomicInteger nextChunk = new AtomicInteger();
        volatile Throwable failure;
        volatile Thread waiter;

        Pool(int size) {
            this.size = size;
            this.workers = new Worker[size - 1];
            for (int i = 0; i < workers.length; i++) {
                workers[i] = new Worker(this, i);
                workers[i].start();
            }
        }

        /** Takes the pool for one region, unless this is a nested call or another thread has it. */
        boolean tryEnter() {
            if (Thread.currentThread() instanceof Worker || lock.isHeldByCurrentThread()) {
                return false;
            }
            if (!lock.tryLock()) {
                return false;
            }
            if (stopped) { // resized meanwhile: run inline this once
                lock.unlock();
                return false;
            }
            return true;
        }

        void run(int n, int chunks, RangeTask rangeTask, ChunkTask chunkTask) {
            try {
                this.n = n;
                this.chunks = chunks;
                this.rangeTask = rangeTask;
                this.chunkTask = chunkTask;
                int helpers = Math.min(chunks, size) - 1;
                int gen = ++generation;
                failure = null;
                waiter = null;
                nextChunk.set(0);
                region.set((long) gen << 32);
                signal = (gen & 0xffffffffL) << 16 | helpers; // publishes the fields above to the workers
                for (int i = 0; i < helpers; i++) {
                    workers[i].wake();
                }
                work();
                if ((region.getAndAdd(CLOSED) & INSIDE) != 0) {
                    awaitInside();
                }
                this.rangeTask = null;
                this.chunkTask = null;
                Throwable t = failure;
                if (t != null) {
                    failure = null;
                    if (t instanceof RuntimeException e) {
                        throw e;
                    }
                    if (t instanceof Error e) {
                        throw e;
                    }
                    throw new RuntimeException(t);
                }
            } finally {
                lock.unlock();
            }
        }

        /** A worker enters region {@code gen} if it is still open. */
        boolean join(int gen) {
            while (true) {
                long r = region.get();
                if ((int) (r >>> 32) != gen || (r & CLOSED) != 0) {
                    return false;
                }
                if (region.compareAndSet(r, r + 1)) {
                    return true;
                }
            }
        }

        void leave() {
            long r = region.decrementAndGet();
            if ((r & CLOSED) != 0 && (r & INSIDE) == 0) {
                Thread w = waiter;
                if (w != null) {
                    LockSupport.unpark(w);
                }
            }
        }

        /** Claims and runs chunks until none is left; a failure stops the claiming. */
        void work() {
            try {
                int c;
                while ((c = nextChunk.getAndIncrement()) < chunks && failure == null) {
                    int start = chunkStart(n, chunks, c);
                    int end = chunkStart(n, chunks, c + 1);
                    if (rangeTask != null) {
                        rangeTask.run(start, end);
                    } else {
                        chunkTask.run(c, start, end);
                    }
                }
            } catch (Throwable t) {
                synchronized (this) {
                    if (failure == null) {
                        failure = t;
                    } else if (failure != t) {
                        failure.addSuppressed(t);
                    }
                }
            }
        }

        /** Waits for the workers still running a chunk: spins (they are busy, so briefly), then parks. */
        private void awaitInside() {
            long deadline = System.nanoTime() + WAIT_SPIN_NANOS;
            while ((region.get() & INSIDE) != 0) {
                if (System.nanoTime() > deadline) {
                    waiter = Thread.currentThread(); // leave() reads it after its decrement: one of us sees the other
                    while ((region.get() & INSIDE) != 0) {
                        LockSupport.park(this);
                    }
                    waiter = null;
                    return;
                }
                Thread.onSpinWait();
            }
        }

        void shutdown() {
            lock.lock();
            try {
                stopped = true;
                signal = (++generation & 0xffffffffL) << 16;
                for (Worker w : workers) {
                    LockSupport.unpark(w);
                }
            } finally {
                lock.unlock();
            }
        }
    }

    private static final class Worker extends Thread {
        private final Pool pool;
        private final int index;
        private volatile boolean parked;

        Worker(Pool pool, int index) {
            super("jgpt-worker-" + (index + 1));
            this.pool = pool;
            this.index = index;
            setDaemon(true);
        }

        /** Unparks this worker if it went to sleep; a spinning worker sees the new signal itself. */
        void wake() {
            if (parked) {
                LockSupport.unpark(this);
            }
        }

        @Override
        public void run() {
            long seen = 0; // the signal before any region: a worker that starts late still sees the first one
            while (true) {
                seen = awaitSignal(seen);
                if (pool.stopped) {
                    return;
                }
                if (index < (int) (seen & 0xffff) && pool.join((int) (seen >>> 16))) {
                    try {
                        pool.work();
                    } finally {
                        pool.leave();
                    }
                }
            }
        }

        private long awaitSignal(long seen) {
            long deadline = System.nanoTime() + IDLE_SPIN_NANOS;
            int spins = 0;
            long g;
            while ((g = pool.signal) == seen) {
                if ((++spins & 63) == 0 && System.nanoTime() > deadline) {
                    parked = true; // the caller reads this after writing signal: one of us sees the other
                    while ((g = pool.signal) == seen) {
                        LockSupport.park(this);
                    }
                    parked = false;
                    return g;
                }
                Thread.onSpinWait();
            }
            return g;
        }
    }
}
