package dev.jgpt.inspect;

import dev.jgpt.JgptException;
import dev.jgpt.model.ModelConfig;
import dev.jgpt.model.Transformer;

/**
 * What one forward pass over a token sequence of length T left behind, recorded through a
 * {@link Transformer.Probe}: per block the attention weights of every head and the residual
 * stream after the block, and the logits after every position. Memory: L·H·T² floats of
 * attention, L·T·E of residuals, T·vocab of logits.
 */
public final class Trace {
    private final int[] tokens;
    private final float[][][][] attention; // [layer][head][query][key]: zero where key > query
    private final float[][][] residual;    // [layer][position][E]
    private final float[][] logits;        // [position][vocab]: the prediction of the token after it

    private Trace(int[] tokens, ModelConfig config) {
        int t = tokens.length;
        this.tokens = tokens.clone();
        this.attention = new float[config.layers()][config.heads()][t][t];
        this.residual = new float[config.layers()][t][config.embd()];
        this.logits = new float[t][];
    }

    /** Runs {@code tokens} through {@code model} from an empty cache, recording everything. */
    public static Trace record(Transformer model, int[] tokens) {
        ModelConfig config = model.config();
        if (tokens.length == 0) {
            throw new JgptException("nothing to trace: the text has no tokens");
        }
        if (tokens.length > config.contextLength()) {
            throw new JgptException("the text has " + tokens.length + " tokens, more than the model's context window of "
                    + config.contextLength() + " tokens: shorten it");
        }
        for (int token : tokens) {
            config.checkToken(token);
        }
        long t = tokens.length;
        long floats = config.layers() * (config.heads() * t * t + t * config.embd()) + t * config.vocabSize();
        if (floats * Float.BYTES > Runtime.getRuntime().maxMemory() / 2) {
            throw new JgptException("tracing " + t + " tokens keeps " + floats + " floats (" + (floats * Float.BYTES >> 20)
                    + " MiB: attention alone is layers × heads × tokens²), more than half the memory this JVM may use ("
                    + (Runtime.getRuntime().maxMemory() >> 20) + " MiB): use a shorter text or give the JVM more memory");
        }
        Trace trace = new Trace(tokens, config);
        model.setProbe(trace.new Recorder());
        try {
            model.forwardAll(tokens, 0, tokens.length, model.newCache(tokens.length),
                    (row, rowLogits, offset) -> trace.logits[row] = copy(rowLogits, offset, config.vocabSize()));
        } finally {
            model.setProbe(null);
        }
        return trace;
    }

    private static float[] copy(float[] values, int offset, int n) {
        float[] row = new float[n];
        System.arraycopy(values, offset, row, 0, n);
        return row;
    }

    /** The traced token ids. */
    public int[] tokens() {
        return tokens.clone();
    }

    public int length() {
        return tokens.length;
    }

    public int layers() {
        return attention.length;
    }

    public int heads() {
        return attention[0].length;
    }

    /**
     * Attention of block {@code layer}, head {@code head}: [query][key], row q the softmax over keys
     * 0..q (summing to 1), zero above the diagonal. The recorded array itself, not a copy.
     */
    public float[][] attention(int layer, int head) {
        return attention[layer][head];
    }

    /** All attention weights, [layer][head][query][key] (the recorded arrays). */
    public float[][][][] attention() {
        return attention;
    }

    /** The residual stream after block {@code layer} at {@code position} [E] (the recorded array). */
    public float[] residual(int layer, int position) {
        return residual[layer][position];
    }

    /** The logits [vocab] after {@code position}: the model's prediction of the next token (the recorded array). */
    public float[] logits(int position) {
        return logits[position];
    }

    /** Copies what the forward pass shows into the trace. */
    private final class Recorder implements Transformer.Probe {
        @Override
        public void attention(int layer, int start, int rows, float[] weights, int headStride, int rowStride) {
            for (int head = 0; head < attention[layer].length; head++) {
                for (int r = 0; r < rows; r++) {
                    int query = start + r;
                    System.arraycopy(weights, head * headStride + r * rowStride, attention[layer][head][query], 0, query + 1);
                }
            }
        }

        @Override
        public void residual(int layer, int start, int rows, float[] x) {
            int e = residual[layer][0].length;
            for (int r = 0; r < rows; r++) {
                System.arraycopy(x, r * e, residual[layer][start + r], 0, e);
            }
        }
    }
}
