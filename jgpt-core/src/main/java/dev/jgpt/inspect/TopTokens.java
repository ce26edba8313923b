package dev.jgpt.inspect;

/** Selection of the largest entries of a score vector (logits, probabilities, similarities). */
public final class TopTokens {
    private TopTokens() {}

    /**
     * The indices of the {@code k} largest of {@code values[0, n)}, largest first; equal values
     * keep the lower index first. NaN never counts as large. Fewer than k when n < k.
     */
    public static int[] of(float[] values, int n, int k) {
        if (k < 0) {
            throw new IllegalArgumentException("k must not be negative, got " + k);
        }
        int size = Math.min(k, n);
        int[] top = new int[size];
        int filled = 0;
        for (int i = 0; i < n && size > 0; i++) {
            float v = values[i];
            if (Float.isNaN(v) || (filled == size && !(v > values[top[size - 1]]))) {
                continue;
            }
            // insertion into the sorted prefix: a value equal to one already there goes after it
            int j = filled == size ? size - 1 : filled++;
            while (j > 0 && v > values[top[j - 1]]) {
                top[j] = top[j - 1];
                j--;
            }
            top[j] = i;
        }
        return filled == size ? top : java.util.Arrays.copyOf(top, filled);
    }
}
