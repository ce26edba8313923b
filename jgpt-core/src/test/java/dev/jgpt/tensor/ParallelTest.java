package dev.jgpt.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ParallelTest {
    private int threadsBefore;

    @BeforeEach
    void useFourThreads() {
        threadsBefore = Parallel.threads();
        Parallel.setThreads(4); // more threads than chunks, fewer, and oversubscribed on 2 cores
    }

    @AfterEach
    void restore() {
        Parallel.setThreads(threadsBefore);
    }

    @Test
    void forRangeCoversEveryIndexExactlyOnce() {
        for (int n : new int[] {0, 1, 2, 3, 4, 5, 7, 100, 1001}) {
            AtomicIntegerArray seen = new AtomicIntegerArray(Math.max(n, 1));
            Parallel.forRange(n, (s, e) -> {
                assertThat(s).isLessThan(e);
                for (int i = s; i < e; i++) {
                    seen.incrementAndGet(i);
                }
            });
            for (int i = 0; i < n; i++) {
                assertThat(seen.get(i)).as("n=%d index %d", n, i).isEqualTo(1);
            }
        }
    }

    @Test
    void forChunksGivesEachChunkItsOwnContiguousRange() {
        for (int chunks : new int[] {1, 2, 3, 4, 9, 16}) {
            int n = 103;
            AtomicIntegerArray seen = new AtomicIntegerArray(n);
            AtomicIntegerArray chunkRuns = new AtomicIntegerArray(chunks);
            Parallel.forChunks(n, chunks, (c, s, e) -> {
                chunkRuns.incrementAndGet(c);
                assertThat(s).isEqualTo(Parallel.chunkStart(n, chunks, c));
                assertThat(e).isEqualTo(Parallel.chunkStart(n, chunks, c + 1));
                for (int i = s; i < e; i++) {
                    seen.incrementAndGet(i);
                }
            });
            for (int i = 0; i < n; i++) {
                assertThat(seen.get(i)).isEqualTo(1);
            }
            for (int c = 0; c < chunks; c++) {
                assertThat(chunkRuns.get(c)).isEqualTo(1);
            }
        }
    }

    @Test
    void exceptionInATaskReachesTheCallerAndThePoolSurvives() {
        for (int round = 0; round < 20; round++) {
            int bad = round % 4;
            assertThatThrownBy(() -> Parallel.forRange(4, (s, e) -> {
                if (s == bad) {
                    throw new IllegalStateException("chunk " + s);
                }
            })).isInstanceOf(IllegalStateException.class).hasMessage("chunk " + bad);
        }
        assertThatThrownBy(() -> Parallel.forChunks(8, 8, (c, s, e) -> {
            throw new AssertionError("every chunk fails");
        })).isInstanceOf(AssertionError.class);
        AtomicInteger sum = new AtomicInteger();
        Parallel.forRange(1000, (s, e) -> sum.addAndGet(e - s));
        assertThat(sum.get()).isEqualTo(1000);
    }

    @Test
    void nestedCallsRunInlineWithoutDeadlock() {
        AtomicLong total = new AtomicLong();
        Parallel.forRange(8, (s, e) -> {
            for (int i = s; i < e; i++) {
                Parallel.forRange(100, (s2, e2) -> {
                    Parallel.forChunks(10, 3, (c, s3, e3) -> total.addAndGet((long) (e2 - s2) * (e3 - s3)));
                });
            }
        });
        assertThat(total.get()).isEqualTo(8L * 100 * 10);
    }

    @Test
    void manyRepeatedCallsAllComplete() {
        long[] sums = new long[4];
        long expected = 0;
        for (int round = 0; round < 5_000; round++) {
            int n = 1 + round % 7;
            expected += (long) n * (n - 1) / 2;
            Parallel.forChunks(n, 4, (c, s, e) -> {
                long local = 0;
                for (int i = s; i < e; i++) {
                    local += i;
                }
                synchronized (sums) {
                    sums[0] += local;
                }
            });
            if (round % 1000 == 0) {
                try {
                    Thread.sleep(2); // let the workers go to sleep now and then
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            }
        }
        assertThat(sums[0]).isEqualTo(expected);
    }

    @Test
    void concurrentCallersFromSeveralThreadsAllGetCorrectResults() throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(3);
        try {
            List<Future<Long>> results = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                results.add(callers.submit(() -> {
                    long total = 0;
                    for (int round = 0; round < 2000; round++) {
                        AtomicLong sum = new AtomicLong();
                        Parallel.forRange(50, (s, e) -> sum.addAndGet(e - s));
                        total += sum.get();
                    }
                    return total;
                }));
            }
            for (Future<Long> f : results) {
                assertThat(f.get()).isEqualTo(2000L * 50);
            }
        } finally {
            callers.shutdown();
        }
    }

    @Test
    void resizingKeepsWorking() {
        for (int threads : new int[] {1, 2, 3, 1, 4}) {
            Parallel.setThreads(threads);
            assertThat(Parallel.threads()).isEqualTo(threads);
            AtomicInteger sum = new AtomicInteger();
            Parallel.forRange(77, (s, e) -> sum.addAndGet(e - s));
            assertThat(sum.get()).isEqualTo(77);
        }
        assertThatThrownBy(() -> Parallel.setThreads(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void workersAreDaemonThreads() {
        List<Thread> seen = new ArrayList<>();
        Parallel.forChunks(4, 4, (c, s, e) -> {
            synchronized (seen) {
                seen.add(Thread.currentThread());
            }
        });
        for (Thread t : seen) {
            if (t != Thread.currentThread()) {
                assertThat(t.isDaemon()).as(t.getName()).isTrue();
            }
        }
    }
}
