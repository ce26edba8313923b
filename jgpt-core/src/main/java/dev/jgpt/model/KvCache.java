package dev.jgpt.model;

/**
 * Keys and values of every position seen so far, per layer: {@code keys[layer]} is
 * [capacity × E] row-major, row p holding the keys of all heads at position p.
 */
public final class KvCache {
    final float[][] keys;
    final float[][] values;
    private final int capacity;
    private int length;

    KvCache(ModelConfig config) {
        this.capacity = config.contextLength();
        this.keys = new float[config.layers()][capacity * config.embd()];
        this.values = new float[config.layers()][capacity * config.embd()];
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
