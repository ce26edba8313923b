package dev.jgpt.model;

import java.util.Arrays;

/**
 * Keys and values of every position seen so far, per layer: {@code keys[layer]} is
 * [rows × K] row-major, row p holding the keys of all key/value heads at position p
 * (K = kvHeads · headSize: grouped-query attention keeps fewer heads here than it queries).
 * The rows grow as positions are filled, doubling up to the capacity, so that a short
 * conversation with a long window holds memory for what it has used, not for the window.
 */
public final class KvCache {
    /** Rows held at first (or the capacity, if smaller). */
    static final int FIRST_ROWS = 256;

    final float[][] keys;
    final float[][] values;
    private final int capacity;
    private final int kvDim;
    private int rows;
    private int length;

    KvCache(ModelConfig config, int capacity) {
        this.capacity = capacity;
        this.kvDim = config.kvDim();
        this.rows = Math.min(capacity, FIRST_ROWS);
        this.keys = new float[config.layers()][rows * kvDim];
        this.values = new float[config.layers()][rows * kvDim];
    }

    /** Makes room for positions [0, positions), positions ≤ capacity: the rows double until they fit (the filled ones copied). */
    void reserve(int positions) {
        if (positions <= rows) {
            return;
        }
        int grown = rows;
        while (grown < positions) {
            grown = (int) Math.min(capacity, 2L * grown);
        }
        for (int layer = 0; layer < keys.length; layer++) {
            keys[layer] = Arrays.copyOf(keys[layer], grown * kvDim);
            values[layer] = Arrays.copyOf(values[layer], grown * kvDim);
        }
        rows = grown;
    }

    /** Positions the cache holds memory for now (at most {@link #capacity()}). */
    int rows() {
        return rows;
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
