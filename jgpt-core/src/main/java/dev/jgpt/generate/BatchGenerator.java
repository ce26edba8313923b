package dev.jgpt.generate;

import dev.jgpt.model.KvCache;
import dev.jgpt.model.Transformer;
import dev.jgpt.tokenizer.Tokenizer;
import java.util.Arrays;
import java.util.function.BooleanSupplier;

/**
 * Sequences continued side by side, each in a {@link Lane} with its own KV cache: a lane's prompt
 * runs alone when it starts; then each round samples one token per lane and runs the new tokens
 * of the lanes that go on through the model together ({@link Transformer#forwardBatch}: every
 * weight is read once for all of them). {@link Generator} is its one-lane case; the server's
 * scheduler runs its slots as lanes.
 *
 * <p>A lane remembers the prompt it last ran, and a prompt that starts with it (a conversation's
 * next turn) may keep those positions of the cache and run only the rest ({@link #prefill}). Only
 * what a prompt's pass computed is kept, never a decoded token's position, and the rest runs as a
 * pass of at least {@link Transformer#ROW_INVARIANT_PASS} tokens: so the logits are those of the
 * whole prompt run from scratch, to the bit. A lane's cache serves one Transformer, whose weights
 * (adapters included) do not change.
 *
 * <p>Not thread-safe: one thread drives every lane.
 */
@SuppressWarnings("exports") // its constructor takes the model and tokenizer, for jgpt's own modules on the class path
public final class BatchGenerator {
    private static final int[] NOTHING = new int[0];

    /** One sequence being continued: its cache, its continuation and the logits its next token is sampled from. */
    public static final class Lane {
        private final KvCache cache;
        private final float[] logits;
        private Continuation continuation;
        /** The prompt whose positions the cache holds as a pass over it computed them; empty when none. */
        private int[] held = NOTHING;

        private Lane(KvCache cache, int vocab) {
            this.cache = cache;
            this.logits = new float[vocab];
        }

        /** The sequence being continued, or null before {@link #begin} and after {@link #release}. */
        public Continuation continuation() {
            return continuation;
        }

        /** The logits after the lane's newest token. */
        public float[] logits() {
            return logits;
        }

        public KvCache cache() {
            return cache;
        }

        /** Whether the cache has no room for another token. */
        public boolean full() {
            return cache.remaining() == 0;
        }

        /**
         * How many leading positions of {@code prompt} a {@link #prefill} with reuse keeps: those
         * it shares with the prompt the cache holds, short of the last
         * {@link Transformer#ROW_INVARIANT_PASS}, which run again.
         */
        public int reusable(int[] prompt) {
            return reusable(prompt, prompt.length);
        }

        private int reusable(int[] tokens, int length) {
            int limit = Math.min(held.length, length - Transformer.ROW_INVARIANT_PASS);
            int n = 0;
            while (n < limit && held[n] == tokens[n]) {
                n++;
            }
            return n;
        }
    }

    private final Transformer model;
    private final Tokenizer tokenizer;
    private final int vocab;
    private final Lane[] lanes;
    // the round in flight: per number of lanes m, the arrays forwardBatch takes
    private final int[][] batchTokens;
    private final KvCache[][] batchCaches;
    private Lane[] batch;
    private final Transformer.LogitsSink toLanes;

    /** {@code laneCount} lanes, each with a KV cache of {@code window} positions: prompt and continuation together. */
    public BatchGenerator(Transformer model, Tokenizer tokenizer, int laneCount, int window) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.vocab = model.config().vocabSize();
        this.lanes = new Lane[laneCount];
        this.batchTokens = new int[laneCount + 1][];
        this.batchCaches = new KvCache[laneCount + 1][];
        for (int i = 0; i < laneCount; i++) {
            lanes[i] = new Lane(model.newCache(window), vocab);
            batchTokens[i + 1] = new int[i + 1];
            batchCaches[i + 1] = new KvCache[i + 1];
        }
        this.toLanes = (row, logits, offset) -> System.arraycopy(logits, offset, batch[row].logits, 0, vocab);
    }

    public Lane lane(int index) {
        return lanes[index];
    }

    public int lanes() {
        return lanes.length;
    }

    /** Sets {@code lane} to continue {@code prompt}; nothing runs yet ({@link #prefill}). */
    public Continuation begin(Lane lane, int[] prompt, GenerationSettings settings) {
        lane.continuation = new Continuation(tokenizer, vocab, prompt, settings);
        return lane.continuation;
    }

    /**
     * Runs the lane's prompt, leaving the logits its first token is sampled from. With
     * {@code reuse}, the cache keeps the positions {@link Lane#reusable} gives and only the rest
     * runs; the logits are the same to the bit.
     *
     * @return the positions kept (0 without reuse)
     */
    public int prefill(Lane lane, boolean reuse) {
        Continuation c = lane.continuation;
        int length = c.length();
        int kept = reuse ? lane.reusable(c.sequence(), length) : 0;
        lane.held = NOTHING; // until the pass ends well
        lane.cache.truncate(kept);
        System.arraycopy(model.forward(c.sequence(), kept, length, lane.cache), 0, lane.logits, 0, vocab);
        // a short pass from scratch rounds otherwise than a longer prompt's pass would: nothing to keep
        lane.held = length - kept >= Transformer.ROW_INVARIANT_PASS ? Arrays.copyOf(c.sequence(), length) : NOTHING;
        return kept;
    }

    /** The lane's next token, sampled from its logits; with {@code stopWhenFull}, a full cache ends the lane. */
    public Continuation.Step sample(Lane lane, boolean stopWhenFull, BooleanSupplier cancelled) {
        return lane.continuation.next(lane.logits, stopWhenFull && lane.full(), cancelled);
    }

    /**
     * Runs the newest token of each of {@code going[0, m)} at its cache's next position, all in
     * one pass, leaving each lane's next logits. {@code going} is held until the call returns.
     */
    public void advance(Lane[] going, int m) {
        if (m == 1) {
            Lane lane = going[0];
            Continuation c = lane.continuation;
            System.arraycopy(model.forward(c.sequence(), c.length() - 1, c.length(), lane.cache), 0, lane.logits, 0, vocab);
            return;
        }
        int[] tokens = batchTokens[m];
        KvCache[] caches = batchCaches[m];
        for (int r = 0; r < m; r++) {
            Continuation c = going[r].continuation;
            tokens[r] = c.sequence()[c.length() - 1];
            caches[r] = going[r].cache;
        }
        batch = going;
        try {
            model.forwardBatch(tokens, caches, toLanes);
        } finally {
            batch = null;
        }
    }

    /** Slides a full lane's window: its cache rebuilt from its newest {@code keep} tokens, leaving the next logits. */
    public void slide(Lane lane, int keep) {
        Continuation c = lane.continuation;
        lane.held = NOTHING;
        lane.cache.clear();
        System.arraycopy(model.forward(c.sequence(), c.length() - keep, c.length(), lane.cache), 0, lane.logits, 0, vocab);
    }

    /** Ends the lane's sequence; the lane may begin another, and its cache still holds the prompt for reuse. */
    public void release(Lane lane) {
        lane.continuation = null;
    }
}
