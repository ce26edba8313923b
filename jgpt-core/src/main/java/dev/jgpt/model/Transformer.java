package dev.jgpt.model;

import dev.jgpt.JgptException;
import dev.jgpt.format.TensorSource;
import dev.jgpt.tensor.Kernels;
import java.util.Arrays;

/**
 * The transformer of every supported architecture, composed of its layers ({@link Embedding},
 * {@link Norm}, {@link Attention}, {@link Mlp}, {@link Unembedding}, the {@link Linear} maps),
 * each with its forward and, beside it, its backward. The {@link Architecture} of the config picks
 * the norm, the position scheme and the MLP; the block is written once ({@link #block}) and serves
 * prefill (many tokens), decode (one token), batched decode (one token of each of several
 * sequences) and training (whole sequences, activations kept, then {@link #blockBackward}).
 * Every activation is [rows × width], row-major. Widths: E embedding, Q = heads·D queries,
 * K = kvHeads·D keys and values, H the MLP.
 *
 * <p>Not thread-safe: a Transformer owns its scratch buffers; run one pass at a time.
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

    /**
     * A pass ({@link #forward}) of at least this many tokens computes each of them to the same bits
     * whatever the pass's length and the token's place in it: its linear maps sum each row alike
     * ({@link Kernels#ROW_INVARIANT_ROWS}) and everything else works row by row. So the keys and
     * values such passes left in a cache are those one pass over the whole sequence leaves, and a
     * further pass of at least as many tokens goes on from them to the same logits; a decode step
     * (one token) rounds differently.
     */
    public static final int ROW_INVARIANT_PASS = Kernels.ROW_INVARIANT_ROWS;

    /** How the rows of the pass in flight map to sequences and positions (see {@link #attend}). */
    private enum Rows { ONE_SEQUENCE, ONE_PER_CACHE, TRAINING }

    private final ModelConfig config;
    private final ModelWeights weights;
    private final TensorSource source;       // the file the weights are mapped from; null when they are not
    private final RopeTable[] layerRope;     // each layer's rotation up to the original context; null entries: learned positions
    private final RopeTable longRope;        // for longer contexts (LongRoPE), or null
    private final int originalContext;
    private final int[] window;              // each layer's sliding window, 0 for none
    private final float residualScale;       // each branch's multiplier, 1 for none
    private final Embedding embedding;
    private final Norm norm;
    private final Attention attention;
    private final Mlp mlp;
    private final Unembedding unembedding;
    private Activations ws;                  // inference buffers
    private Activations pass;                // the buffers of the pass in flight: ws, or a training step's
    private float[] attentionScores = new float[0]; // [heads × kept rows × capacity]: one row per head, all rows under a probe
    private Probe probe;                     // null: nothing watches (the usual case)
    private final float[] lastRow;           // [E]
    private final float[] logits;            // [vocab]
    // the pass in flight
    private Rows rows;
    private int start;                       // ONE_SEQUENCE: the first row's position
    private KvCache cache;                   // ONE_SEQUENCE
    private KvCache[] caches;                // ONE_PER_CACHE
    private int sequences;                   // TRAINING: sequences of `rows / sequences` tokens each

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
        Architecture architecture = config.architecture();
        Architecture.Features features = architecture.features();
        RopeTable rope = architecture.rope() == null ? null : new RopeTable(architecture.rope());
        RopeTable local = features.localRope() == null ? rope : new RopeTable(features.localRope());
        this.longRope = features.longRope() == null ? null : new RopeTable(features.longRope());
        this.originalContext = features.originalContext();
        this.layerRope = new RopeTable[config.layers()];
        this.window = new int[config.layers()];
        for (int layer = 0; layer < config.layers(); layer++) {
            boolean windowed = features.window() != null && features.window().windowed(layer);
            window[layer] = windowed ? features.window().size() : 0;
            layerRope[layer] = windowed ? local : rope;
        }
        this.residualScale = features.residualScale();
        this.embedding = new Embedding(config);
        this.norm = new Norm(config);
        this.attention = new Attention(config);
        this.mlp = new Mlp(config);
        this.unembedding = new Unembedding(config);
        this.lastRow = new float[config.embd()];
        this.logits = new float[config.vocabSize()];
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
        boolean learned = config.architecture().learnedPositions();
        if (capacity <= 0 || (learned && capacity > config.contextLength())) {
            throw new JgptException("a KV cache of " + capacity + " positions: the model takes 1.."
                    + config.contextLength() + (learned ? "" : " (more with rotary positions)"));
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
            runSequence(tokens, from, m, cache);
            unembed(ws.blocks[0].out, (m - 1) * config.embd(), logits);
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
        norm.forward(weights.finalNorm(), lastRow, 1, lastRow);
        unembedding.row(weights.unembedding(), lastRow, out);
    }

    /** Runs {@code tokens[from, to)} and hands the logits after every one of them to {@code sink}, in order. */
    public void forwardAll(int[] tokens, int from, int to, KvCache cache, LogitsSink sink) {
        checkSource();
        try {
            int m = to - from;
            runSequence(tokens, from, m, cache);
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
            runSequence(tokens, from, m, cache);
            float[] hidden = new float[m * config.embd()];
            norm.forward(weights.finalNorm(), ws.blocks[0].out, m, hidden);
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
        for (KvCache cache : caches) {
            cache.reserve(cache.length() + 1);
        }
        checkSource();
        try {
            prepare(m, capacity, false);
            Activations.Block b = ws.blocks[0];
            for (int r = 0; r < m; r++) {
                embedding.forwardRow(weights, tokens[r], caches[r].length(), b.in, r);
            }
            rows = Rows.ONE_PER_CACHE;
            this.caches = caches;
            for (int layer = 0; layer < config.layers(); layer++) {
                block(weights.layers().get(layer), layer, b, m);
            }
            this.caches = null;
            for (KvCache c : caches) {
                c.advance(1);
            }
            allLogits(m, sink);
        } catch (InternalError e) {
            throw readFault(e);
        }
    }

    /**
     * Training: runs {@code batch} sequences of {@code seq} tokens ({@code inputs}, row-major
     * [batch × seq], each from position 0, no cache) keeping every activation in {@code act}, and
     * returns the mean softmax cross-entropy against {@code targets}. With {@code gradients} not
     * null, then runs the backward, adding {@code gradientScale · ∂(mean loss)/∂weight} at each
     * weight's slot (a frozen weight's gradient is not computed).
     */
    public float train(int[] inputs, int[] targets, int batch, int seq, Activations act, Gradients gradients,
                       float gradientScale) {
        check(inputs, targets, batch, seq);
        if (!config.architecture().trainable()) {
            throw new JgptException("training a " + config.architecture().name() + " model is not supported: there is no "
                    + "backward for its " + config.architecture().withoutBackward());
        }
        if (!act.fits(batch, seq)) {
            throw new IllegalArgumentException("activations too small for a batch of " + batch + " × " + seq);
        }
        int n = batch * seq;
        pass = act;
        ensureRope(seq);
        embedding.forward(weights, inputs, 0, n, 0, seq, act.blocks[0].in);
        rows = Rows.TRAINING;
        sequences = batch;
        for (int layer = 0; layer < config.layers(); layer++) {
            block(weights.layers().get(layer), layer, act.blocks[layer], n);
        }
        float[] last = act.blocks[config.layers() - 1].out;
        norm.forward(weights.finalNorm(), last, n, act.finalNorm);
        boolean backward = gradients != null;
        float[] grads = backward ? gradients.values() : null;
        double lossSum = unembedding.loss(weights.unembedding(), act.finalNorm, n, targets, gradientScale,
                backward ? act.dNorm : null, grads, backward ? gradients.unembedding() : Gradients.FROZEN);
        if (backward) {
            Arrays.fill(act.dResidual, 0, n * config.embd(), 0f);
            norm.backward(weights.finalNorm(), act.dNorm, last, n, act.dResidual, grads, gradients.finalNorm(),
                    act.mean, act.rstd);
            for (int layer = config.layers() - 1; layer >= 0; layer--) {
                blockBackward(weights.layers().get(layer), layer, gradients.layers().get(layer), act.blocks[layer], act, batch,
                        seq, grads);
            }
            embedding.backward(inputs, n, seq, act.dResidual, gradients);
        }
        pass = null;
        return (float) (lossSum / n);
    }

    /**
     * The backward of {@link #block} over a training batch. On entry {@code act.dResidual} is
     * ∂loss/∂(block output) [N × E]; on exit ∂loss/∂(block input). Each half: the branch's
     * backward, then its norm's, added to the residual's gradient.
     */
    private void blockBackward(LayerWeights w, int layer, Gradients.LayerSlots g, Activations.Block b, Activations act,
                               int batch, int seq, float[] grads) {
        int n = batch * seq;
        float[] dy = act.dResidual;
        // MLP: out = mid + residualScale · mlp(norm2(mid))
        mlp.backward(w, g, b.norm2, b.up, b.gate, b.act, b.geluExp, branchGradient(dy, n, act), n, act.dAct, act.dGate,
                act.dNorm, act.dScratch, grads);
        norm.backward(w.mlpNorm(), act.dNorm, b.mid, n, act.dResidual, grads, g.mlpNorm(), act.mean, act.rstd);
        // attention: mid = in + residualScale · output(attention(rope(q), rope(k), v))
        w.attentionOutput().backward(b.attn, branchGradient(dy, n, act), n, act.dAttn, grads, g.attentionOutput());
        attention.backward(act.dAttn, b.q, b.k, b.v, b.weights, batch, seq, act.dq, act.dk, act.dv);
        RopeTable table = ropeFor(layer, seq);
        if (table != null) {
            for (int s = 0; s < batch; s++) {
                table.rotateBack(act.dq, s * seq * config.queryDim(), seq, config.heads(), config.headSize(), 0);
                table.rotateBack(act.dk, s * seq * config.kvDim(), seq, config.kvHeads(), config.headSize(), 0);
            }
        }
        projectBackward(w, g, b.norm1, n, act, grads);
        norm.backward(w.attentionNorm(), act.dNorm, b.in, n, act.dResidual, grads, g.attentionNorm(), act.mean, act.rstd);
    }

    /** ∂loss/∂(a branch's output) from dy = ∂loss/∂(the residual after it): dy itself, or residualScale · dy in act.branch. */
    private float[] branchGradient(float[] dy, int n, Activations act) {
        if (residualScale == 1) {
            return dy;
        }
        System.arraycopy(dy, 0, act.branch, 0, n * config.embd());
        Kernels.scale(act.branch, 0, n * config.embd(), residualScale);
        return act.branch;
    }

    /** The backward of {@link #project}: from act.dq, act.dk, act.dv to ∂loss/∂(normed rows) in act.dNorm. */
    private void projectBackward(LayerWeights w, Gradients.LayerSlots g, float[] normed, int n, Activations act,
                                 float[] grads) {
        int q = config.queryDim();
        int kv = config.kvDim();
        if (w.qkv() != null) {
            int width = q + 2 * kv;
            for (int r = 0; r < n; r++) {
                System.arraycopy(act.dq, r * q, act.dQkv, r * width, q);
                System.arraycopy(act.dk, r * kv, act.dQkv, r * width + q, kv);
                System.arraycopy(act.dv, r * kv, act.dQkv, r * width + q + kv, kv);
            }
            w.qkv().backward(normed, act.dQkv, n, act.dNorm, grads, g.qkv());
            return;
        }
        int e = config.embd();
        w.query().backward(normed, act.dq, n, act.dNorm, grads, g.query());
        w.key().backward(normed, act.dk, n, act.dScratch, grads, g.key());
        Kernels.add(act.dNorm, act.dScratch, n * e);
        w.value().backward(normed, act.dv, n, act.dScratch, grads, g.value());
        Kernels.add(act.dNorm, act.dScratch, n * e);
    }

    private void check(int[] inputs, int[] targets, int batch, int seq) {
        if (batch < 1 || seq < 1 || seq > config.contextLength()) {
            throw new JgptException("a batch needs at least one sequence of 1.." + config.contextLength()
                    + " tokens, got " + batch + " × " + seq);
        }
        long n = (long) batch * seq;
        if (inputs.length < n || targets.length < n) {
            throw new JgptException("a batch of " + batch + " × " + seq + " needs " + n + " inputs and targets, got "
                    + inputs.length + " and " + targets.length);
        }
        for (int i = 0; i < n; i++) {
            config.checkToken(targets[i]);
        }
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

    /** The final norm and the unembedding of the m rows of the residual stream, handed to {@code sink} row by row. */
    private void allLogits(int m, LogitsSink sink) {
        Activations.Block b = ws.blocks[0];
        norm.forward(weights.finalNorm(), b.out, m, b.norm1);
        unembedding.logits(weights.unembedding(), b.norm1, m, sink);
    }

    /** Embeds m tokens at the cache's next positions and runs every block, the residual stream [m × E] left in the buffers. */
    private void runSequence(int[] tokens, int from, int m, KvCache cache) {
        if (m <= 0) {
            throw new IllegalArgumentException("no tokens to run");
        }
        int first = cache.length();
        if (first + m > cache.capacity()) {
            throw new JgptException("context window full: " + (first + m) + " positions needed, the cache holds "
                    + cache.capacity());
        }
        cache.reserve(first + m);
        prepare(m, cache.capacity(), probe != null);
        Activations.Block b = ws.blocks[0];
        embedding.forward(weights, tokens, from, m, first, m, b.in);
        rows = Rows.ONE_SEQUENCE;
        start = first;
        this.cache = cache;
        int capacity = cache.capacity();
        for (int layer = 0; layer < config.layers(); layer++) {
            block(weights.layers().get(layer), layer, b, m);
            if (probe != null) {
                probe.attention(layer, first, m, attentionScores, m * capacity, capacity);
                probe.residual(layer, first, m, b.out);
            }
        }
        this.cache = null;
        cache.advance(m);
    }

    /**
     * One block, the same for every kind of pass: attention, then the MLP, each added to the
     * residual stream, with the norms the layer has (before each branch, on its output, on q and
     * k). Reads {@code b.in}, writes {@code b.mid} and {@code b.out} (at inference the three are
     * one buffer, updated in place).
     */
    private void block(LayerWeights w, int layer, Activations.Block b, int m) {
        int e = config.embd();
        // attention: tokens exchange information, each looking only at itself and earlier positions
        project(w, normed(w.attentionNorm(), b.in, m, b.norm1), m, b);
        normalizeQueriesAndKeys(w, b, m);
        attend(layer, b, m);
        w.attentionOutput().apply(b.attn, m, pass.branch);
        residual(b.in, normed(w.postAttentionNorm(), pass.branch, m, pass.branch), b.mid, m * e);
        // MLP: each token alone
        mlp.forward(w, normed(w.mlpNorm(), b.mid, m, b.norm2), m, b.up, b.gate, b.act, b.geluExp, pass.branch);
        residual(b.mid, normed(w.postMlpNorm(), pass.branch, m, pass.branch), b.out, m * e);
    }

    /** The m rows of x normed into {@code out} (which may be x), or x itself where the block has no such norm. */
    private float[] normed(NormWeights weights, float[] x, int m, float[] out) {
        if (weights == null) {
            return x;
        }
        norm.forward(weights, x, m, out);
        return out;
    }

    /** The q/k RMSNorms of the architecture, over each row's whole queries and keys or over each head. */
    private void normalizeQueriesAndKeys(LayerWeights w, Activations.Block b, int m) {
        if (w.queryNorm() == null) {
            return;
        }
        float eps = config.normEps();
        if (config.architecture().features().qkNorm() == Architecture.QkNorm.PER_HEAD) {
            int d = config.headSize();
            Kernels.rmsNorm(b.q, m * config.heads(), d, w.queryNorm().weight(), eps, b.q);
            Kernels.rmsNorm(b.k, m * config.kvHeads(), d, w.keyNorm().weight(), eps, b.k);
        } else {
            Kernels.rmsNorm(b.q, m, config.queryDim(), w.queryNorm().weight(), eps, b.q);
            Kernels.rmsNorm(b.k, m, config.kvDim(), w.keyNorm().weight(), eps, b.k);
        }
    }

    /** out = x + residualScale · branch over n floats (x and out may be one buffer). */
    private void residual(float[] x, float[] branch, float[] out, int n) {
        if (out != x) {
            System.arraycopy(x, 0, out, 0, n);
        }
        if (residualScale == 1) {
            Kernels.add(out, branch, n);
        } else {
            Kernels.axpy(residualScale, branch, 0, out, 0, n);
        }
    }

    /** The normed rows [m × E] → queries b.q [m × Q], keys b.k and values b.v [m × K]. */
    private void project(LayerWeights w, float[] normed, int m, Activations.Block b) {
        if (w.qkv() == null) {
            w.query().apply(normed, m, b.q);
            w.key().apply(normed, m, b.k);
            w.value().apply(normed, m, b.v);
            return;
        }
        float[] qkv = pass.qkv;
        w.qkv().apply(normed, m, qkv);
        int q = config.queryDim();
        int kv = config.kvDim();
        int width = q + 2 * kv;
        for (int r = 0; r < m; r++) {
            System.arraycopy(qkv, r * width, b.q, r * q, q);
            System.arraycopy(qkv, r * width + q, b.k, r * kv, kv);
            System.arraycopy(qkv, r * width + q + kv, b.v, r * kv, kv);
        }
    }

    /**
     * Rotates queries and keys to their positions, stores keys and values where the rows' sequence
     * keeps them, and attends: one sequence at the cache's next positions, one row per cache, or
     * (training) each sequence of the batch to its own rows from position 0, weights kept.
     */
    private void attend(int layer, Activations.Block b, int m) {
        int q = config.queryDim();
        int kv = config.kvDim();
        switch (rows) {
            case ONE_SEQUENCE -> {
                rotate(ropeFor(layer, cache.capacity()), b, 0, m, start);
                System.arraycopy(b.k, 0, cache.keys[layer], start * kv, m * kv);
                System.arraycopy(b.v, 0, cache.values[layer], start * kv, m * kv);
                attention.forward(b.q, 0, m, start, cache.keys[layer], cache.values[layer], 0,
                        attentionScores, 0, cache.capacity(), probe != null, window[layer], b.attn);
            }
            case ONE_PER_CACHE -> {
                for (int r = 0; r < m; r++) {
                    KvCache c = caches[r];
                    int position = c.length();
                    rotate(ropeFor(layer, c.capacity()), b, r, 1, position);
                    System.arraycopy(b.k, r * kv, c.keys[layer], position * kv, kv);
                    System.arraycopy(b.v, r * kv, c.values[layer], position * kv, kv);
                    attention.forward(b.q, r, 1, position, c.keys[layer], c.values[layer], 0,
                            attentionScores, 0, c.capacity(), false, window[layer], b.attn);
                }
            }
            case TRAINING -> {
                int seq = m / sequences;
                for (int s = 0; s < sequences; s++) {
                    rotate(ropeFor(layer, seq), b, s * seq, seq, 0);
                    attention.forward(b.q, s * seq, seq, 0, b.k, b.v, s * seq * kv,
                            b.weights, s * config.heads() * seq * seq, seq, true, window[layer], b.attn);
                }
            }
        }
    }

    /**
     * The rotation of {@code layer} in a context of {@code capacity} positions: the local one on
     * windowed layers of families that have one, the long-context one past the original context.
     */
    private RopeTable ropeFor(int layer, int capacity) {
        return longRope != null && capacity > originalContext ? longRope : layerRope[layer];
    }

    /** Rotary positions: the queries and keys of rows [row0, row0 + m) to positions first.. (nothing with learned positions). */
    private void rotate(RopeTable table, Activations.Block b, int row0, int m, int first) {
        if (table != null) {
            table.rotate(b.q, row0 * config.queryDim(), m, config.heads(), config.headSize(), first);
            table.rotate(b.k, row0 * config.kvDim(), m, config.kvHeads(), config.headSize(), first);
        }
    }

    /** Grows the inference buffers for m rows and a cache of {@code capacity} positions (only when too small). */
    private void prepare(int m, int capacity, boolean keepAll) {
        if (ws == null || ws.rows < m) {
            ws = Activations.inference(config, m, weights.layers().getFirst().qkv() != null);
        }
        pass = ws;
        int scores = Math.multiplyExact(Math.multiplyExact(config.heads(), keepAll ? m : 1), capacity);
        if (attentionScores.length < scores) {
            attentionScores = new float[scores];
        }
        ensureRope(capacity);
    }

    /** Makes every rotation table that a context of {@code capacity} positions uses cover it. */
    private void ensureRope(int capacity) {
        for (RopeTable table : layerRope) {
            if (table != null) {
                table.ensure(capacity);
            }
        }
        if (longRope != null && capacity > originalContext) {
            longRope.ensure(capacity);
        }
    }
}
