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

        /**
         * The sequence being continued.
         *
         * @return the lane's continuation, or null before {@link #begin} and after {@link #release}
         */
        public Continuation continuation() {
            return continuation;
        }

        /**
         * The logits after the lane's newest token, which {@link #sample} draws from.
         *
         * @return the lane's own array, one score per vocabulary entry, overwritten by each pass
         */
        public float[] logits() {
            return logits;
        }

        /**
         * The lane's KV cache.
         *
         * @return the cache, holding the positions the lane's passes have run
         */
        public KvCache cache() {
            return cache;
        }

        /**
         * Whether the cache has no room for another token.
         *
         * @return true when every position of the window is taken
         */
        public boolean full() {
            return cache.remaining() == 0;
        }

        /**
         * How many leading positions of {@code prompt} a {@link #prefill} with reuse keeps: those
         * it shares with the prompt the cache holds, short of the last
         * {@link Transformer#ROW_INVARIANT_PASS}, which run again.
         *
         * @param prompt the token ids of the prompt about to run
         * @return the number of leading positions kept, 0 when none
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

    /**
     * {@code laneCount} lanes, each with a KV cache of {@code window} positions: prompt and continuation together.
     *
     * @param model the model every lane runs through
     * @param tokenizer the model's tokenizer, which turns the sampled tokens into text
     * @param laneCount how many sequences may be continued at once
     * @param window the positions each lane's KV cache holds
     */
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

    /**
     * One of the lanes.
     *
     * @param index the lane's index, from 0 to {@link #lanes()} - 1
     * @return that lane, the same object on every call
     */
    public Lane lane(int index) {
        return lanes[index];
    }

    /**
     * The number of lanes.
     *
     * @return the {@code laneCount} the generator was made with
     */
    public int lanes() {
        return lanes.length;
    }

    /**
     * Sets {@code lane} to continue {@code prompt}; nothing runs yet ({@link #prefill}).
     *
     * @param lane the lane, free (never begun, or released)
     * @param prompt the prompt's token ids
     * @param settings the length limit, sampler and stop rules of the continuation
     * @return the lane's new continuation
     */
    public Continuation begin(Lane lane, int[] prompt, GenerationSettings settings) {
        lane.continuation = new Continuation(tokenizer, vocab, prompt, settings);
        return lane.continuation;
    }

    /**
     * Runs the lane's prompt, leaving the logits its first token is sampled from. With
     * {@code reuse}, the cache keeps the positions {@link Lane#reusable} gives and only the rest
     * runs; the logits are the same to the bit.
     *
     * @param lane a lane that has {@linkplain #begin begun}
     * @param reuse whether to keep the cache positions the prompt shares with the lane's last prompt
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

    /**
     * The lane's next token, sampled from its logits; with {@code stopWhenFull}, a full cache ends the lane.
     *
     * @param lane a lane whose logits are up to date (after {@link #prefill}, {@link #advance} or {@link #slide})
     * @param stopWhenFull whether a full cache ends the sequence (otherwise the caller slides the window)
     * @param cancelled asked after sampling: when it answers true, the sequence ends as cancelled
     * @return the token sampled and whether the sequence ends there
     */
    public Continuation.Step sample(Lane lane, boolean stopWhenFull, BooleanSupplier cancelled) {
        return lane.continuation.next(lane.logits, stopWhenFull && lane.full(), cancelled);
    }

    /**
     * Runs the newest token of each of {@code going[0, m)} at its cache's next position, all in
     * one pass, leaving each lane's next logits. {@code going} is held until the call returns.
     *
     * @param going the lanes to run, in its first {@code m} entries; each has room in its cache
     * @param m how many lanes run, from 1 to {@link #lanes()}
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

    /**
     * Slides a full lane's window: its cache rebuilt from its newest {@code keep} tokens, leaving the next logits.
     *
     * @param lane the lane whose cache is full
     * @param keep how many of the sequence's newest tokens the rebuilt cache holds, fewer than the window
     */
    public void slide(Lane lane, int keep) {
        Continuation c = lane.continuation;
        lane.held = NOTHING;
        lane.cache.clear();
        System.arraycopy(model.forward(c.sequence(), c.length() - keep, c.length(), lane.cache), 0, lane.logits, 0, vocab);
    }

    /**
     * Ends the lane's sequence; the lane may begin another, and its cache still holds the prompt for reuse.
     *
     * @param lane the lane to free
     */
    public void release(Lane lane) {
        lane.continuation = null;
    }
}
