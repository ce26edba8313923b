package dev.jgpt.model;

import dev.jgpt.JgptException;
import dev.jgpt.format.TensorSource;
import dev.jgpt.tensor.Kernels;
import dev.jgpt.tensor.Parallel;
import dev.jgpt.tensor.Tensor;
import java.util.Arrays;

/**
 * The GPT-2 forward pass. Prefill (many tokens) and decode (one token) run the same code with
 * a different number of rows m: every activation below is [m × width], row-major.
 *
 * <p>Not thread-safe: a Transformer owns its scratch buffers; run one forward at a time.
 */
public final class Transformer {
    /** Receives the logits of row {@code row}: {@code logits[offset, offset + vocab)}. */
    @FunctionalInterface
    public interface LogitsSink {
        void accept(int row, float[] logits, int offset);
    }

    private static final int LOGIT_ROWS_PER_BLOCK = 32;
    /** Below this many multiply-adds, attention runs on the calling thread alone. */
    private static final long PARALLEL_MIN_MACS = 1 << 17;

    private final ModelConfig config;
    private final ModelWeights weights;
    private final float attentionScale;
    private Workspace ws;
    private final float[] attentionScores;   // [heads × context]: one row of scores per head
    private final float[] lastRow;           // [E]
    private final float[] logits;            // [vocab]
    // the attention call in flight, as fields so that running it allocates nothing
    private final Parallel.RangeTask attentionTask = this::attendHeads;
    private int attentionRows;
    private int attentionStart;
    private float[] attentionKeys;
    private float[] attentionValues;

    public Transformer(ModelWeights weights) {
        this.weights = weights;
        this.config = weights.config();
        this.attentionScale = (float) (1.0 / Math.sqrt(config.headSize()));
        this.attentionScores = new float[config.heads() * config.contextLength()];
        this.lastRow = new float[config.embd()];
        this.logits = new float[config.vocabSize()];
    }

    /** Loads GPT-2 weights from a checkpoint whose config is already known. */
    public static Transformer load(TensorSource source, ModelConfig config) {
        return new Transformer(Gpt2Loader.load(source, config));
    }

    public ModelConfig config() {
        return config;
    }

    public ModelWeights weights() {
        return weights;
    }

    public KvCache newCache() {
        return new KvCache(config);
    }

    /**
     * Runs {@code tokens[from, to)} at the cache's next positions and returns the logits after the
     * last of them: a buffer owned by this Transformer, valid until the next call.
     */
    public float[] forward(int[] tokens, int from, int to, KvCache cache) {
        int m = to - from;
        runBlocks(tokens, from, m, cache);
        int e = config.embd();
        System.arraycopy(ws.x, (m - 1) * e, lastRow, 0, e);
        Kernels.layerNorm(lastRow, 1, e, weights.finalNormWeight(), weights.finalNormBias(), config.normEps(), lastRow);
        Kernels.linear(lastRow, 1, weights.unembedding(), null, logits);
        return logits;
    }

    /** Runs {@code tokens[from, to)} and hands the logits after every one of them to {@code sink}, in order. */
    public void forwardAll(int[] tokens, int from, int to, KvCache cache, LogitsSink sink) {
        int m = to - from;
        runBlocks(tokens, from, m, cache);
        int e = config.embd();
        int v = config.vocabSize();
        Kernels.layerNorm(ws.x, m, e, weights.finalNormWeight(), weights.finalNormBias(), config.normEps(), ws.h);
        for (int r0 = 0; r0 < m; r0 += LOGIT_ROWS_PER_BLOCK) {
            int rows = Math.min(LOGIT_ROWS_PER_BLOCK, m - r0);
            System.arraycopy(ws.h, r0 * e, ws.logitRows, 0, rows * e);
            Kernels.linear(ws.logitRows, rows, weights.unembedding(), null, ws.logitBlock);
            for (int r = 0; r < rows; r++) {
                sink.accept(r0 + r, ws.logitBlock, r * v);
            }
        }
    }

    /** Embeds m tokens and runs every block, leaving the residual stream [m × E] in {@code ws.x}. */
    private void runBlocks(int[] tokens, int from, int m, KvCache cache) {
        if (m <= 0) {
            throw new IllegalArgumentException("no tokens to run");
        }
        int start = cache.length();
        if (start + m > cache.capacity()) {
            throw new JgptException("context window full: " + (start + m) + " positions needed, the model has "
                    + cache.capacity());
        }
        ensureWorkspace(m);
        embed(tokens, from, m, start);
        for (int layer = 0; layer < config.layers(); layer++) {
            block(weights.layers().get(layer), layer, m, start, cache);
        }
        cache.advance(m);
    }

    /** x[r] = wte[token] + wpe[position]. */
    private void embed(int[] tokens, int from, int m, int start) {
        int e = config.embd();
        Tensor wte = weights.tokenEmbedding();
        Tensor wpe = weights.positionEmbedding();
        for (int r = 0; r < m; r++) {
            int token = tokens[from + r];
            config.checkToken(token);
            long tokenRow = (long) token * e;
            long positionRow = (long) (start + r) * e;
            for (int i = 0; i < e; i++) {
                ws.x[r * e + i] = wte.dtype().read(wte.data(), tokenRow + i) + wpe.dtype().read(wpe.data(), positionRow + i);
            }
        }
    }

    private void block(LayerWeights w, int layer, int m, int start, KvCache cache) {
        int e = config.embd();
        // attention: tokens exchange information, each looking only at itself and earlier positions
        Kernels.layerNorm(ws.x, m, e, w.norm1Weight(), w.norm1Bias(), config.normEps(), ws.h);
        Kernels.linear(ws.h, m, w.qkv(), w.qkvBias(), ws.qkv);
        float[] keys = cache.keys[layer];
        float[] values = cache.values[layer];
        for (int r = 0; r < m; r++) {
            System.arraycopy(ws.qkv, r * 3 * e + e, keys, (start + r) * e, e);
            System.arraycopy(ws.qkv, r * 3 * e + 2 * e, values, (start + r) * e, e);
        }
        attention(m, start, keys, values);
        Kernels.linear(ws.attn, m, w.attnProj(), w.attnProjBias(), ws.h);
        Kernels.add(ws.x, ws.h, m * e);
        // MLP: each token alone
        Kernels.layerNorm(ws.x, m, e, w.norm2Weight(), w.norm2Bias(), config.normEps(), ws.h);
        Kernels.linear(ws.h, m, w.mlpUp(), w.mlpUpBias(), ws.mlp);
        Kernels.geluTanh(ws.mlp, m * config.mlpHidden());
        Kernels.linear(ws.mlp, m, w.mlpDown(), w.mlpDownBias(), ws.h);
        Kernels.add(ws.x, ws.h, m * e);
    }

    /**
     * Causal multi-head attention for m query rows at positions start..start+m-1:
     * attn[r, head] = softmax(q·kᵀ / √D over positions ≤ start+r) · v, with D = E / heads.
     * Heads run in parallel unless the work is too small to repay the dispatch (early decode steps).
     */
    private void attention(int m, int start, float[] keys, float[] values) {
        attentionRows = m;
        attentionStart = start;
        attentionKeys = keys;
        attentionValues = values;
        long macs = 2L * m * (start + m) * config.embd();
        if (macs < PARALLEL_MIN_MACS) {
            attentionTask.run(0, config.heads());
        } else {
            Parallel.forRange(config.heads(), attentionTask);
        }
    }

    /** The heads [h0, h1) of the attention set up by {@link #attention}. */
    private void attendHeads(int h0, int h1) {
        int m = attentionRows;
        int start = attentionStart;
        float[] keys = attentionKeys;
        float[] values = attentionValues;
        int e = config.embd();
        int d = config.headSize();
        int context = config.contextLength();
        for (int head = h0; head < h1; head++) {
            int scores = head * context;
            int headOffset = head * d;
            for (int r = 0; r < m; r++) {
                int q = r * 3 * e + headOffset;
                int visible = start + r + 1;
                for (int p = 0; p < visible; p++) {
                    attentionScores[scores + p] = Kernels.dot(ws.qkv, q, keys, p * e + headOffset, d) * attentionScale;
                }
                Kernels.softmax(attentionScores, scores, visible);
                int out = r * e + headOffset;
                Arrays.fill(ws.attn, out, out + d, 0f);
                for (int p = 0; p < visible; p++) {
                    Kernels.axpy(attentionScores[scores + p], values, p * e + headOffset, ws.attn, out, d);
                }
            }
        }
    }

    private void ensureWorkspace(int m) {
        if (ws == null || ws.rows < m) {
            ws = new Workspace(m, config);
        }
    }

    /** Scratch activations for up to {@code rows} tokens at once. */
    private static final class Workspace {
        final int rows;
        final float[] x;          // residual stream [rows × E]
        final float[] h;          // normed input / projection output [rows × E]
        final float[] qkv;        // [rows × 3E]
        final float[] attn;       // attention output, heads side by side [rows × E]
        final float[] mlp;        // [rows × hidden]
        final float[] logitRows;  // [block × E]
        final float[] logitBlock; // [block × vocab]

        Workspace(int rows, ModelConfig config) {
            int e = config.embd();
            int block = Math.min(rows, LOGIT_ROWS_PER_BLOCK);
            this.rows = rows;
            x = new float[rows * e];
            h = new float[rows * e];
            qkv = new float[rows * 3 * e];
            attn = new float[rows * e];
            mlp = new float[rows * config.mlpHidden()];
            logitRows = new float[block * e];
            logitBlock = new float[block * config.vocabSize()];
        }
    }
}
