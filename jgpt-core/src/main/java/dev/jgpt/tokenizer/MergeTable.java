package dev.jgpt.tokenizer;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * BPE merges by rank: which pair of adjacent tokens joins first, and into what.
 *
 * <p>Pairs live in an open-addressing hash table keyed by {@code left << 32 | right}. A word is
 * merged with a min-heap of (rank, position) over a linked list of symbols, so a word of n bytes
 * costs O(n log n) rather than the O(n²) of the textbook rank loop; the result is the same as
 * GPT-2's loop because equal ranks are taken leftmost first. Several pairs may share a rank
 * (SentencePiece ranks pairs by the score of the token they make, and ties go leftmost first).
 */
final class MergeTable {
    private static final long EMPTY = -1L;

    private final long[] keys;
    private final int[] ranks;
    private final int[] results;
    private final int mask;

    /** Merge {@code i} joins {@code left[i]} and {@code right[i]} into {@code result[i]} with rank i; a repeated pair keeps its last. */
    MergeTable(int[] left, int[] right, int[] result) {
        this(left, right, result, IntStream.range(0, left.length).toArray());
    }

    /** Pair {@code i} joins {@code left[i]} and {@code right[i]} into {@code result[i]}; lower ranks (from 0) merge first. */
    MergeTable(int[] left, int[] right, int[] result, int[] rank) {
        int capacity = Integer.highestOneBit(Math.max(4, left.length * 2 + 1)) << 1;
        keys = new long[capacity];
        ranks = new int[capacity];
        results = new int[capacity];
        Arrays.fill(keys, EMPTY);
        mask = capacity - 1;
        for (int i = 0; i < left.length; i++) {
            long key = key(left[i], right[i]);
            int slot = slot(key);
            keys[slot] = key;
            ranks[slot] = rank[i];
            results[slot] = result[i];
        }
    }

    private static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        int slot = (int) (h ^ (h >>> 29)) & mask;
        while (keys[slot] != EMPTY && keys[slot] != key) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    /** The rank of the merge of {@code left} then {@code right}, or -1 when they do not merge. */
    int rank(int left, int right) {
        int slot = slot(key(left, right));
        return keys[slot] == EMPTY ? -1 : ranks[slot];
    }

    /** Applies merges to {@code symbols} (changed in place) until no adjacent pair merges; returns the tokens. */
    int[] apply(int[] symbols) {
        int n = symbols.length;
        if (n < 2) {
            return symbols;
        }
        int[] next = new int[n];
        int[] prev = new int[n];
        LongHeap heap = new LongHeap(3 * n);
        for (int i = 0; i < n; i++) {
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
            if (i + 1 < n) {
                push(heap, symbols[i], symbols[i + 1], i);
            }
        }
        int alive = n;
        while (!heap.isEmpty()) {
            long top = heap.pop();
            int rank = (int) (top >>> 32);
            int i = (int) top;
            int j = next[i];
            // stale entries: a side was merged away, or the pair at i has changed since
            if (symbols[i] < 0 || j < 0) {
                continue;
            }
            int slot = slot(key(symbols[i], symbols[j]));
            if (keys[slot] == EMPTY || ranks[slot] != rank) {
                continue;
            }
            symbols[i] = results[slot];
            symbols[j] = -1;
            alive--;
            next[i] = next[j];
            if (next[j] >= 0) {
                prev[next[j]] = i;
            }
            if (prev[i] >= 0) {
                push(heap, symbols[prev[i]], symbols[i], prev[i]);
            }
            if (next[i] >= 0) {
                push(heap, symbols[i], symbols[next[i]], i);
            }
        }
        int[] out = new int[alive];
        for (int i = 0, k = 0; i >= 0; i = next[i]) {
            out[k++] = symbols[i];
        }
        return out;
    }

    private void push(LongHeap heap, int left, int right, int position) {
        int rank = rank(left, right);
        if (rank >= 0) {
            heap.push(((long) rank << 32) | position);
        }
    }

    /** A binary min-heap of longs, without boxing. */
    private static final class LongHeap {
        private long[] items;
        private int size;

        LongHeap(int capacity) {
            items = new long[Math.max(capacity, 4)];
        }

        boolean isEmpty() {
            return size == 0;
        }

        void push(long value) {
            if (size == items.length) {
                items = Arrays.copyOf(items, size * 2);
            }
            int i = size++;
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (items[parent] <= value) {
                    break;
                }
                items[i] = items[parent];
                i = parent;
            }
            items[i] = value;
        }

        long pop() {
            long top = items[0];
            long last = items[--size];
            int i = 0;
            while (true) {
                int child = 2 * i + 1;
                if (child >= size) {
                    break;
                }
                if (child + 1 < size && items[child + 1] < items[child]) {
                    child++;
                }
                if (items[child] >= last) {
                    break;
                }
                items[i] = items[child];
                i = child;
            }
            items[i] = last;
            return top;
        }
    }
}
