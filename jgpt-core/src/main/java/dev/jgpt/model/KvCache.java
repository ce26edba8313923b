package dev.jgpt.model;

/**
 * Keys and values of every position seen so far, per layer: {@code keys[layer]} is
 * [capacity × K] row-major, row p holding the keys of all key/value heads at position p
 * (K = kvHeads · headSize: grouped-query attention keeps fewer heads here than it queries).
 */
public final class KvCache {
    final float[][] keys;
    final float[][] values;
    private final int capacity;
    private int length;

    KvCache(ModelConfig config, int capacity) {
        this.capacity = capacity;
        this.keys = new float[config.layers()][capacity * config.kvDim()];
        this.values = new float[config.layers()][capacity * config.kvDim()];
    }

    /** Positions filled so far; the next token goes to position {@code length()}. */
    public int length() {
        return length;
    }

    public int capacity() {
        return capacity;
    }

    public int remaining() {
        return capacity - length;
    }

    /** Forgets every position (the memory is kept for reuse). */
    public void clear() {
        length = 0;
    }

    /** Keeps the first {@code length} positions and forgets the rest, so that generation can go on from there. */
    public void truncate(int length) {
        if (length < 0 || length > this.length) {
            throw new IllegalArgumentException("cannot keep " + length + " of " + this.length + " positions");
        }
        this.length = length;
    }

    void advance(int positions) {
        length += positions;
    }
}
