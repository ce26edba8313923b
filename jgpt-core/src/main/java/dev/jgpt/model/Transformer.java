package dev.jgpt.model;

import dev.jgpt.JgptException;
import dev.jgpt.format.TensorSource;
import dev.jgpt.tensor.Kernels;
import dev.jgpt.tensor.Parallel;
import dev.jgpt.tensor.Tensor;
import java.util.Arrays;

/**
 * The forward pass of every supported architecture: the {@link Architecture} of the config
 * picks the norm, the position scheme and the MLP; the code path is one. Prefill (many tokens)
 * and decode (one token) run the same code with a different number of rows m: every activation
 * below is [m × width], row-major. Widths: E embedding, Q = heads·D queries, K = kvHeads·D keys
 * and values, H the MLP.
 *
 * <p>Not thread-safe: a Transformer owns its scratch buffers; run one forward at a time.
 */
public final class Transformer {
    /** Receives the logits of row {@code row}: {@code logits[offset, offset + vocab)}. */
    @FunctionalInterface
    public interface LogitsSink {
        void accept(int row, float[] logits, int offset);
    }

    /**
     * A window on the forward pass ({@link #setProbe}): after each block, what passed through it.
     * Called on the thread that runs the forward, once per block, for the rows of that call.
     */
    public interface Probe {
        /**
         * The attention weights of block {@code layer} for query rows at positions
         * start..start+rows-1: head h, row r attends to position p ≤ start + r with weight
         * {@code weights[h · headStride + r · rowStride + p]} (a softmax: the visible weights sum
         * to 1; entries past start + r are stale).
         */
        void attention(int layer, int start, int rows, float[] weights, int headStride, int rowStride);

        /** The residual stream after block {@code layer}: {@code x[r · E, (r + 1) · E)} is position start + r. */
        void residual(int layer, int start, int rows, float[] x);
    }

    private static final int LOGIT_ROWS_PER_BLOCK = 32;
    /** Below this many multiply-adds, attention runs on the calling thread alone. */
    private static final long PARALLEL_MIN_MACS = 1 << 17;

    private final ModelConfig config;
    private final ModelWeights weights;
    private final TensorSource source;       // the file the weights are mapped from; null when they are not
    private final Architecture architecture;
    private final float attentionScale;
    private final RopeTable rope;            // null with learned positions
    private Workspace ws;
    private float[] attentionScores = new float[0]; // [heads × kept rows × capacity]: one row per head, all rows under a probe
    private Probe probe;                     // null: nothing watches (the usual case)
    private final float[] lastRow;           // [E]
    private final float[] logits;            // [vocab]
    private final float[] rowScratch;        // [max(Q, K)]: one row of queries or keys being rotated
    // the attention call in flight, as fields so that running it allocates nothing
    private final Parallel.RangeTask attentionTask = this::attendHeads;
    private int attentionRows;
    private int attentionRowOffset;          // the first query row in ws.q / ws.attn (a batch attends row by row)
    private int attentionStart;
    private int attentionHeadStride;
    private int attentionRowStride;         // 0 without a probe: every query row reuses its head's one row of scores
    private float[] attentionKeys;
    private float[] attentionValues;

    /** A transformer over weights in memory. */
    public Transformer(ModelWeights weights) {
        this(weights, null);
    }

    /**
     * A transformer over weights mapped from {@code source}: each forward pass first checks that
     * the file is still whole, and a read that faults because it changed meanwhile is an error
     * naming the file, not the JVM's internal error.
     */
    public Transformer(ModelWeights weights, TensorSource source) {
        this.weights = weights;
        this.source = source;
        this.config = weights.config();
        this.architecture = config.architecture();
        this.attentionScale = (float) (1.0 / Math.sqrt(config.headSize()));
        this.rope = architecture.rope() == null ? null : new RopeTable(architecture.rope());
        this.lastRow = new float[config.embd()];
        this.logits = new float[config.vocabSize()];
        this.rowScratch = new float[Math.max(config.queryDim(), config.kvDim())];
    }

    /** Loads GPT-2 weights from a Hugging Face checkpoint whose config is already known. */
    public static Transformer load(TensorSource source, ModelConfig config) {
        return new Transformer(Gpt2Loader.load(source, config), source);
    }

    public ModelConfig config() {
        return config;
    }

    public ModelWeights weights() {
        return weights;
    }

    /**
     * Attaches {@code probe} to every following forward pass ({@code null} detaches it). Without a
     * probe the forward pass pays one null check per block; with one, attention keeps the weights
     * of every query row (heads × rows × cache capacity floats) until the probe has seen them.
     */
    public void setProbe(Probe probe) {
        this.probe = probe;
    }

    /** A cache for the model's whole context window. */
    public KvCache newCache() {
        return newCache(config.contextLength());
    }

    /**
     * A cache for {@code capacity} positions: fewer than the context window saves memory (a
     * Llama 3 window of 131072 positions is gigabytes); more is possible with rotary positions only.
     */
    public KvCache newCache(int capacity) {
        if (capacity <= 0 || (architecture.learnedPositions() && capacity > config.contextLength())) {
            throw new JgptException("a KV cache of " + capacity + " positions: the model takes 1.."
                    + config.contextLength() + (architecture.learnedPositions() ? "" : " (more with rotary positions)"));
        }
        if ((long) capacity * config.kvDim() > Integer.MAX_VALUE - 8) {
            throw new JgptException("a KV cache of " + capacity + " positions needs " + (long) capacity * config.kvDim()
                    + " floats per layer, more than one array holds: use a smaller context");
        }
        return new KvCache(config, capacity);
    }

    /**
     * Runs {@code tokens[from, to)} at the cache's next positions and returns the logits after the
     * last of them: a buffer owned by this Transformer, valid until the next call.
     */
    public float[] forward(int[] tokens, int from, int to, KvCache cache) {
        checkSource();
        try {
            int m = to - from;
            runBlocks(tokens, from, m, cache);
            unembed(ws.x, (m - 1) * config.embd(), logits);
            return logits;
        } catch (InternalError e) {
            throw readFault(e);
        }
    }

    /**
     * The logits [vocab] that one residual-stream row {@code x[offset, offset + E)} reads as: the
     * final norm, then the unembedding (the logit lens applies it to the rows of every block).
     */
    public void readOut(float[] x, int offset, float[] out) {
        if (out.length < config.vocabSize()) {
            throw new IllegalArgumentException("logits need " + config.vocabSize() + " floats, got " + out.length);
        }
        checkSource();
        try {
            unembed(x, offset, out);
        } catch (InternalError e) {
            throw readFault(e);
        }
    }

    private void unembed(float[] x, int offset, float[] out) {
        System.arraycopy(x, offset, lastRow, 0, config.embd());
        normalize(weights.finalNorm(), lastRow, 1, lastRow);
        Kernels.linear(lastRow, 1, weights.unembedding(), null, out);
    }

    /** Runs {@code tokens[from, to)} and hands the logits after every one of them to {@code sink}, in order. */
    public void forwardAll(int[] tokens, int from, int to, KvCache cache, LogitsSink sink) {
        checkSource();
        try {
            int m = to - from;
            runBlocks(tokens, from, m, cache);
            allLogits(m, sink);
        } catch (InternalError e) {
            throw readFault(e);
        }
    }

    /**
     * Runs {@code tokens[from, to)} and returns the hidden state of each after the final norm,
     * what the unembedding reads: [(to - from) × E], row r for position r of the call.
     */
    public float[] forwardHidden(int[] tokens, int from, int to, KvCache cache) {
        checkSource();
        try {
            int m = to - from;
            runBlocks(tokens, from, m, cache);
            float[] hidden = new float[m * config.embd()];
            normalize(weights.finalNorm(), ws.x, m, hidden);
            return hidden;
        } catch (InternalError e) {
            throw readFault(e);
        }
    }

    /**
     * Decodes one token for each of m independent sequences at once: {@code tokens[r]} at the
     * next position of {@code caches[r]}, and hands the logits after it to {@code sink} as row r.
     * The rows share every weight-matrix pass (each matrix is read once for all m), and attend
     * only to their own cache; the result equals m separate {@link #forward} calls up to float
     * rounding. A probe ({@link #setProbe}) watches single sequences only: batched steps pass it by.
     */
    public void forwardBatch(int[] tokens, KvCache[] caches, LogitsSink sink) {
        int m = tokens.length;
        if (m == 0 || caches.length != m) {
            throw new IllegalArgumentException(m + " tokens for " + caches.length + " caches: give one token per cache");
        }
        int capacity = 0;
        for (int r = 0; r < m; r++) {
            if (caches[r].remaining() < 1) {
                throw new JgptException("context window full: sequence " + r + " fills its cache of " + caches[r].capacity() + " positions");
            }
            for (int other = 0; other < r; other++) {
                if (caches[other] == caches[r]) {
                    throw new IllegalArgumentException("sequences " + other + " and " + r + " share one cache");
                }
            }
            capacity = Math.max(capacity, caches[r].capacity());
        }
        checkSource();
        try {
            decodeBatch(tokens, caches, capacity, sink);
        } catch (InternalError e) {
            throw readFault(e);
        }
    }

    private void decodeBatch(int[] tokens, KvCache[] caches, int capacity, LogitsSink sink) {
        int m = tokens.length;
        prepare(m, capacity);
        int e = config.embd();
        Tensor wte = weights.tokenEmbedding();
        Tensor wpe = weights.positionEmbedding();
        for (int r = 0; r < m; r++) {
            config.checkToken(tokens[r]);
            wte.dtype().decode(wte.data(), (long) tokens[r] * e, ws.x, r * e, e);
            if (wpe != null) {
                wpe.dtype().decode(wpe.data(), (long) caches[r].length() * e, ws.h, r * e, e);
            }
        }
        if (wpe != null) {
            Kernels.add(ws.x, ws.h, m * e);
        }
        for (int layer = 0; layer < config.layers(); layer++) {
            LayerWeights w = weights.layers().get(layer);
            normalize(w.attentionNorm(), ws.x, m, ws.h);
            project(w, m);
            for (int r = 0; r < m; r++) {
                attendOwnCache(r, layer, caches[r]);
            }
            w.attentionOutput().apply(ws.attn, m, ws.h);
            Kernels.add(ws.x, ws.h, m * e);
            mlp(w, m);
        }
        for (KvCache cache : caches) {
            cache.advance(1);
        }
        allLogits(m, sink);
    }

    private void checkSource() {
        if (source != null) {
            source.checkUnchanged();
        }
    }

    /** A fault reading the mapped weights as the error naming their file (see {@link TensorSource#readFault}). */
    private RuntimeException readFault(InternalError e) {
        if (source == null) {
            throw e;
        }
        return source.readFault(e);
    }

    /** Row r of a batch: rotate its query and key to its own position, store its key and value, attend to its cache. */
    private void attendOwnCache(int r, int layer, KvCache cache) {
        int q = config.queryDim();
        int kv = config.kvDim();
        int position = cache.length();
        if (rope != null) {
            // the rotation kernel works on rows from index 0: rotate a copy of this row
            System.arraycopy(ws.q, r * q, rowScratch, 0, q);
            rope.rotate(rowScratch, 1, config.heads(), config.headSize(), position);
            System.arraycopy(rowScratch, 0, ws.q, r * q, q);
            System.arraycopy(ws.k, r * kv, rowScratch, 0, kv);
            rope.rotate(rowScratch, 1, config.kvHeads(), config.headSize(), position);
            System.arraycopy(rowScratch, 0, ws.k, r * kv, kv);
        }
        System.arraycopy(ws.k, r * kv, cache.keys[layer], position * kv, kv);
        System.arraycopy(ws.v, r * kv, cache.values[layer], position * kv, kv);
        attentionRowOffset = r;
        attention(1, position, cache.capacity(), cache.keys[layer], cache.values[layer]);
        attentionRowOffset = 0;
    }

    /** The final norm and the unembedding of the m rows in {@code ws.x}, handed to {@code sink} row by row. */
    private void allLogits(int m, LogitsSink sink) {
        int e = config.embd();
        int v = config.vocabSize();
        normalize(weights.finalNorm(), ws.x, m, ws.h);
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
            throw new JgptException("context window full: " + (start + m) + " positions needed, the cache holds "
                    + cache.capacity());
        }
        prepare(m, cache.capacity());
        embed(tokens, from, m, start);
        for (int layer = 0; layer < config.layers(); layer++) {
            block(weights.layers().get(layer), layer, m, start, cache);
            if (probe != null) {
                probe.attention(layer, start, m, attentionScores, attentionHeadStride, attentionRowStride);
                probe.residual(layer, start, m, ws.x);
            }
        }
        cache.advance(m);
    }

    /** x[r] = tokenEmbedding[token] (+ positionEmbedding[position] when positions are learned), rows decoded from any dtype. */
    private void embed(int[] tokens, int from, int m, int start) {
        int e = config.embd();
        Tensor wte = weights.tokenEmbedding();
        for (int r = 0; r < m; r++) {
            int token = tokens[from + r];
            config.checkToken(token);
            wte.dtype().decode(wte.data(), (long) token * e, ws.x, r * e, e);
        }
        Tensor wpe = weights.positionEmbedding();
        if (wpe != null) {
            wpe.dtype().decode(wpe.data(), (long) start * e, ws.h, 0, m * e);
            Kernels.add(ws.x, ws.h, m * e);
        }
    }

    private void block(LayerWeights w, int layer, int m, int start, KvCache cache) {
        int e = config.embd();
        int kv = config.kvDim();
        // attention: tokens exchange information, each looking only at itself and earlier positions
        normalize(w.attentionNorm(), ws.x, m, ws.h);
        project(w, m);
        if (rope != null) {
            rope.rotate(ws.q, m, config.heads(), config.headSize(), start);
            rope.rotate(ws.k, m, config.kvHeads(), config.headSize(), start);
        }
        float[] keys = cache.keys[layer];
        float[] values = cache.values[layer];
        System.arraycopy(ws.k, 0, keys, start * kv, m * kv);
        System.arraycopy(ws.v, 0, values, start * kv, m * kv);
        attention(m, start, cache.capacity(), keys, values);
        w.attentionOutput().apply(ws.attn, m, ws.h);
        Kernels.add(ws.x, ws.h, m * e);
        mlp(w, m);
    }

    /** MLP: each token alone; adds its output to the residual stream ws.x [m × E]. */
    private void mlp(LayerWeights w, int m) {
        int e = config.embd();
        normalize(w.mlpNorm(), ws.x, m, ws.h);
        int n = m * config.mlpHidden();
        w.mlpUp().apply(ws.h, m, ws.up);
        if (architecture.mlp() == Architecture.Mlp.SWIGLU) {
            w.mlpGate().apply(ws.h, m, ws.gate);
            Kernels.swiglu(ws.gate, ws.up, n);
            w.mlpDown().apply(ws.gate, m, ws.h);
        } else {
            Kernels.geluTanh(ws.up, n);
            w.mlpDown().apply(ws.up, m, ws.h);
        }
        Kernels.add(ws.x, ws.h, m * e);
    }

    /** The normed rows ws.h [m × E] → queries ws.q [m × Q], keys ws.k and values ws.v [m × K]. */
    private void project(LayerWeights w, int m) {
        if (w.qkv() == null) {
            w.query().apply(ws.h, m, ws.q);
            w.key().apply(ws.h, m, ws.k);
            w.value().apply(ws.h, m, ws.v);
            return;
        }
        w.qkv().apply(ws.h, m, ws.qkv);
        int q = config.queryDim();
        int kv = config.kvDim();
        int width = q + 2 * kv;
        for (int r = 0; r < m; r++) {
            System.arraycopy(ws.qkv, r * width, ws.q, r * q, q);
            System.arraycopy(ws.qkv, r * width + q, ws.k, r * kv, kv);
            System.arraycopy(ws.qkv, r * width + q + kv, ws.v, r * kv, kv);
        }
    }

    private void normalize(NormWeights norm, float[] x, int m, float[] out) {
        if (architecture.norm() == Architecture.Norm.RMS_NORM) {
            Kernels.rmsNorm(x, m, config.embd(), norm.weight(), config.normEps(), out);
        } else {
            Kernels.layerNorm(x, m, config.embd(), norm.weight(), norm.bias(), config.normEps(), out);
        }
    }

    /**
     * Causal attention for m query rows at positions start..start+m-1: for each head,
     * attn[r, head] = softmax(q·kᵀ / √D over positions ≤ start+r) · v, where query head h reads
     * key/value head h / (heads / kvHeads). Heads run in parallel unless the work is too small to
     * repay the dispatch (early decode steps).
     */
    private void attention(int m, int start, int capacity, float[] keys, float[] values) {
        attentionRows = m;
        attentionStart = start;
        attentionRowStride = probe == null ? 0 : capacity;
        attentionHeadStride = probe == null ? capacity : m * capacity;
        attentionKeys = keys;
        attentionValues = values;
        long macs = 2L * m * (start + m) * config.queryDim();
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
        int q = config.queryDim();
        int kv = config.kvDim();
        int d = config.headSize();
        int group = config.heads() / config.kvHeads();
        int headStride = attentionHeadStride;
        int rowStride = attentionRowStride;
        for (int head = h0; head < h1; head++) {
            int queryOffset = head * d;
            int kvOffset = (head / group) * d;
            for (int r = 0; r < m; r++) {
                int scores = head * headStride + r * rowStride;
                int query = (attentionRowOffset + r) * q + queryOffset;
                int visible = start + r + 1;
                for (int p = 0; p < visible; p++) {
                    attentionScores[scores + p] = Kernels.dot(ws.q, query, keys, p * kv + kvOffset, d) * attentionScale;
                }
                Kernels.softmax(attentionScores, scores, visible);
                Arrays.fill(ws.attn, query, query + d, 0f);
                for (int p = 0; p < visible; p++) {
                    Kernels.axpy(attentionScores[scores + p], values, p * kv + kvOffset, ws.attn, query, d);
                }
            }
        }
    }

    /** Grows the scratch buffers for m rows and a cache of {@code capacity} positions (only when too small). */
    private void prepare(int m, int capacity) {
        if (ws == null || ws.rows < m) {
            ws = new Workspace(m, config, weights.layers().getFirst().qkv() != null);
        }
        int scores = Math.multiplyExact(Math.multiplyExact(config.heads(), probe == null ? 1 : m), capacity);
        if (attentionScores.length < scores) {
            attentionScores = new float[scores];
        }
        if (rope != null) {
            rope.ensure(capacity);
        }
    }

    /** Scratch activations for up to {@code rows} tokens at once. */
    private static final class Workspace {
        final int rows;
        final float[] x;          // residual stream [rows × E]
        final float[] h;          // normed input / projection output [rows × E]
        final float[] qkv;        // fused projection [rows × (Q + 2K)], or null when q, k, v are apart
        final float[] q;          // [rows × Q]
        final float[] k;          // [rows × K]
        final float[] v;          // [rows × K]
        final float[] attn;       // attention output, heads side by side [rows × Q]
        final float[] up;         // MLP [rows × H]
        final float[] gate;       // SwiGLU's gate [rows × H], or null
        final float[] logitRows;  // [block × E]
        final float[] logitBlock; // [block × vocab]

        Workspace(int rows, ModelConfig config, boolean fused) {
            int e = config.embd();
            int q = config.queryDim();
            int kv = config.kvDim();
            int hidden = config.mlpHidden();
            int block = Math.min(rows, LOGIT_ROWS_PER_BLOCK);
            this.rows = rows;
            x = new float[rows * e];
            h = new float[rows * e];
            qkv = fused ? new float[rows * (q + 2 * kv)] : null;
            this.q = new float[rows * q];
            k = new float[rows * kv];
            v = new float[rows * kv];
            attn = new float[rows * q];
            up = new float[rows * hidden];
            gate = config.architecture().mlp() == Architecture.Mlp.SWIGLU ? new float[rows * hidden] : null;
            logitRows = new float[block * e];
            logitBlock = new float[block * config.vocabSize()];
        }
    }
}
