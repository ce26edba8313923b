package dev.jgpt.inspect;

import dev.jgpt.JgptException;
import dev.jgpt.model.ModelConfig;

/**
 * How much attention an explanation may carry to a browser: its JSON holds layers × heads ×
 * tokens²/2 weights (about 10 bytes each). Shared by {@code jgpt explain --html} and the
 * server's explain route, so both refuse the same texts.
 */
public final class AttentionLimit {
    /** Attention weights a browser still handles comfortably in one document. */
    public static final long WEIGHTS = 20_000_000;

    private AttentionLimit() {}

    /** The causal attention weights of {@code tokens} tokens: layers × heads × tokens·(tokens+1)/2. */
    public static long weights(ModelConfig config, int tokens) {
        return (long) config.layers() * config.heads() * tokens * (tokens + 1L) / 2;
    }

    /** The most tokens whose explanation stays within {@link #WEIGHTS}. */
    public static int mostTokens(ModelConfig config) {
        // t(t+1)/2 ≤ WEIGHTS / (layers·heads): the root of the quadratic, then the exact integer either side of it
        double pairs = (double) WEIGHTS / ((long) config.layers() * config.heads());
        long t = (long) ((Math.sqrt(8 * pairs + 1) - 1) / 2);
        while (t > 0 && weights(config, (int) t) > WEIGHTS) {
            t--;
        }
        while (weights(config, (int) t + 1) <= WEIGHTS) {
            t++;
        }
        return (int) Math.min(t, Integer.MAX_VALUE - 1);
    }

    /** @throws JgptException when the explanation of {@code tokens} tokens would hold more than {@link #WEIGHTS} */
    public static void check(ModelConfig config, int tokens) {
        long weights = weights(config, tokens);
        if (weights > WEIGHTS) {
            throw new JgptException("the text is " + tokens + " tokens: its explanation would hold " + weights
                    + " attention weights (about " + weights * 10 / 1_000_000 + " MB), too many for a browser; "
                    + "explain at most " + mostTokens(config) + " tokens with this model");
        }
    }
}
