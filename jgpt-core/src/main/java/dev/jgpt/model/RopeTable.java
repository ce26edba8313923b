package dev.jgpt.model;

import dev.jgpt.tensor.Kernels;

/**
 * cos(p·θᵢ) and sin(p·θᵢ) of a {@link Rope} for positions [0, positions) and pairs i, row-major
 * [position × pairs], computed in double once so that the forward pass only looks them up.
 */
final class RopeTable {
    private final Rope rope;
    private float[] cos = new float[0];
    private float[] sin = new float[0];
    private float[] minusSin = new float[0]; // the inverse rotation, for the backward pass
    private int positions;

    RopeTable(Rope rope) {
        this.rope = rope;
    }

    /** Makes the table cover positions [0, n); grows (allocates) only when n exceeds what it holds. */
    void ensure(int n) {
        if (n <= positions) {
            return;
        }
        int pairs = rope.pairs();
        float[] c = new float[Math.multiplyExact(n, pairs)];
        float[] s = new float[c.length];
        float[] minus = new float[c.length];
        double[] theta = new double[pairs];
        for (int i = 0; i < pairs; i++) {
            theta[i] = rope.frequency(i);
        }
        double magnitude = rope.magnitude();
        for (int p = 0; p < n; p++) {
            for (int i = 0; i < pairs; i++) {
                double angle = p * theta[i];
                c[p * pairs + i] = (float) (magnitude * Math.cos(angle));
                s[p * pairs + i] = (float) (magnitude * Math.sin(angle));
                minus[p * pairs + i] = -s[p * pairs + i];
            }
        }
        cos = c;
        sin = s;
        minusSin = minus;
        positions = n;
    }

    /**
     * Rotates the m rows from {@code x[offset]} of {@code heads} heads of {@code headSize} values,
     * row r being at position start + r.
     */
    void rotate(float[] x, int offset, int m, int heads, int headSize, int start) {
        Kernels.rope(x, offset, m, heads, headSize, rope.pairs(), rope.style() == Rope.Style.NEOX, cos, sin, start);
    }

    /** The backward of {@link #rotate}: the gradient of a rotated row is the row's gradient rotated back. */
    void rotateBack(float[] x, int offset, int m, int heads, int headSize, int start) {
        Kernels.rope(x, offset, m, heads, headSize, rope.pairs(), rope.style() == Rope.Style.NEOX, cos, minusSin, start);
    }
}
