package dev.jgpt.server;

import dev.jgpt.JgptException;
import dev.jgpt.generate.Continuation;
import dev.jgpt.generate.FinishReason;
import dev.jgpt.model.KvCache;
import dev.jgpt.model.Transformer;
import dev.jgpt.tokenizer.Tokenizer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Runs every request on one worker thread: N slots, each with its own KV cache, decode together,
 * one token per slot per round in one batched forward pass ({@link Transformer#forwardBatch}: the
 * weights are read once for all slots; the kernels under it use every core). A new request's
 * prompt runs alone when it takes a slot. Further requests wait in a bounded queue, and a
 * request beyond that is refused (429). A cancelled job leaves its slot at its next token.
 * Other work on the model ({@link #call}) runs on the same thread between decode rounds, so
 * nothing ever runs the (not thread-safe) Transformer beside the slots.
 */
final class Scheduler implements AutoCloseable {
    /** One place where a request decodes. */
    private static final class Slot {
        final KvCache cache;
        final float[] logits;
        Job job;
        Continuation continuation;

        Slot(KvCache cache, int vocab) {
            this.cache = cache;
            this.logits = new float[vocab];
        }
    }

    private final Transformer model;
    private final Tokenizer tokenizer;
    private final int vocab;
    private final int window;
    private final Slot[] slots;
    private final int capacity;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger busy = new AtomicInteger();
    private final AtomicLong generated = new AtomicLong();
    private final LinkedBlockingQueue<Job> waiting = new LinkedBlockingQueue<>();
    private final ConcurrentLinkedQueue<Call<?>> calls = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pendingCalls = new AtomicInteger();
    private final Thread worker;
    private volatile boolean closed;
    // the decode round in flight: the slots going on, and per batch size m the arrays forwardBatch takes
    private final Slot[] batch;
    private final int[][] batchTokens;
    private final KvCache[][] batchCaches;
    private final Transformer.LogitsSink toBatch;

    /**
     * @param window positions of each slot's KV cache: the longest prompt plus continuation
     * @param queue  requests that may wait for a slot
     */
    Scheduler(Transformer model, Tokenizer tokenizer, int slotCount, int queue, int window) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.vocab = model.config().vocabSize();
        this.window = window;
        this.slots = new Slot[slotCount];
        for (int i = 0; i < slotCount; i++) {
            slots[i] = new Slot(model.newCache(window), vocab);
        }
        this.capacity = slotCount + queue;
        this.batch = new Slot[slotCount];
        this.batchTokens = new int[slotCount + 1][];
        this.batchCaches = new KvCache[slotCount + 1][];
        for (int m = 1; m <= slotCount; m++) {
            batchTokens[m] = new int[m];
            batchCaches[m] = new KvCache[m];
        }
        this.toBatch = (row, logits, offset) -> System.arraycopy(logits, offset, batch[row].logits, 0, vocab);
        this.worker = Thread.ofPlatform().name("jgpt-scheduler").daemon().start(this::run);
    }

    int window() {
        return window;
    }

    int slotCount() {
        return slots.length;
    }

    /** Slots decoding a request now. */
    int busySlots() {
        return busy.get();
    }

    /** Requests accepted and not yet finished: decoding or waiting. */
    int inFlight() {
        return inFlight.get();
    }

    /** Tokens sampled since the start, over all requests. */
    long tokensGenerated() {
        return generated.get();
    }

    /**
     * Queues the job; its events follow on {@link Job#take}.
     *
     * @throws ApiException 429 when every slot is busy and the queue is full, 503 once closed
     */
    void submit(Job job) {
        if (closed) {
            throw new ApiException(503, "server_error", null, null, "the server is shutting down");
        }
        if (inFlight.incrementAndGet() > capacity) {
            inFlight.decrementAndGet();
            throw new ApiException(429, "rate_limit_error", null, "queue_full", "all " + slots.length
                    + " slots are busy and " + (capacity - slots.length) + " requests already wait: try again later");
        }
        waiting.add(job);
    }

    /** Work on the model from outside the slots, and where its result goes. */
    private record Call<T>(Function<Transformer, T> work, CompletableFuture<T> result) {
        void run(Transformer model) {
            try {
                result.complete(work.apply(model));
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        }
    }

    /**
     * Runs {@code work} on the model on the worker thread, between two decode rounds (within
     * about 100 ms when idle); the future holds its result or its exception.
     *
     * @throws ApiException 429 when as many calls as slots plus queue already wait, 503 once closed
     */
    <T> CompletableFuture<T> call(Function<Transformer, T> work) {
        if (closed) {
            throw shuttingDown();
        }
        if (pendingCalls.incrementAndGet() > capacity) {
            pendingCalls.decrementAndGet();
            throw new ApiException(429, "rate_limit_error", null, "queue_full", capacity
                    + " requests on the model already wait: try again later");
        }
        Call<T> call = new Call<>(work, new CompletableFuture<>());
        calls.add(call);
        if (closed) { // closed meanwhile: the worker may have drained the queue already
            failCalls();
        }
        return call.result();
    }

    private void runCalls() {
        Call<?> call;
        while (!closed && (call = calls.poll()) != null) {
            pendingCalls.decrementAndGet();
            call.run(model);
        }
    }

    private void failCalls() {
        Call<?> call;
        while ((call = calls.poll()) != null) {
            pendingCalls.decrementAndGet();
            call.result().completeExceptionally(shuttingDown());
        }
    }

    private static ApiException shuttingDown() {
        return new ApiException(503, "server_error", null, null, "the server is shutting down");
    }

    private void run() {
        try {
            while (!closed) {
                runCalls();
                admit();
                decodeRound();
            }
        } catch (InterruptedException e) {
            // closing
        }
        ApiException gone = new ApiException(503, "server_error", null, null, "the server is shutting down");
        for (Slot slot : slots) {
            if (slot.job != null) {
                fail(slot, gone);
            }
        }
        Job job;
        while ((job = waiting.poll()) != null) {
            job.post(new Job.Failed(gone));
        }
        failCalls();
    }

    /** Moves waiting jobs into free slots; waits for one when no slot is busy. */
    private void admit() throws InterruptedException {
        for (Slot slot : slots) {
            if (slot.job != null) {
                continue;
            }
            Job job = busy.get() > 0 ? waiting.poll() : waiting.poll(100, TimeUnit.MILLISECONDS);
            if (job == null) {
                return;
            }
            start(slot, job);
        }
    }

    /** Runs the prompt into the slot's cache. */
    private void start(Slot slot, Job job) {
        GenerationRequest request = job.request();
        slot.job = job;
        slot.continuation = new Continuation(tokenizer, vocab, request.prompt(), request.settings());
        busy.incrementAndGet();
        if (job.cancelled() || request.settings().maxTokens() == 0) {
            end(slot, job.cancelled() ? FinishReason.CANCELLED : FinishReason.LENGTH);
            return;
        }
        try {
            slot.cache.clear();
            int[] prompt = request.prompt();
            System.arraycopy(model.forward(prompt, 0, prompt.length, slot.cache), 0, slot.logits, 0, vocab);
        } catch (RuntimeException e) {
            fail(slot, internal(e));
        }
    }

    /** Samples one token in every busy slot, then runs the new tokens of the slots that go on through the model at once. */
    private void decodeRound() {
        int m = 0;
        for (Slot slot : slots) {
            if (slot.job != null && sample(slot)) {
                batch[m++] = slot;
            }
        }
        if (m == 0) {
            return;
        }
        try {
            if (m == 1) {
                Continuation c = batch[0].continuation;
                float[] logits = model.forward(c.sequence(), c.length() - 1, c.length(), batch[0].cache);
                System.arraycopy(logits, 0, batch[0].logits, 0, vocab);
            } else {
                int[] tokens = batchTokens[m];
                KvCache[] caches = batchCaches[m];
                for (int r = 0; r < m; r++) {
                    Continuation c = batch[r].continuation;
                    tokens[r] = c.sequence()[c.length() - 1];
                    caches[r] = batch[r].cache;
                }
                model.forwardBatch(tokens, caches, toBatch);
            }
        } catch (RuntimeException e) {
            ApiException error = internal(e);
            for (int r = 0; r < m; r++) {
                fail(batch[r], error);
            }
        }
    }

    /** Samples the slot's next token and posts it; whether the slot goes on (its token must then run through the model). */
    private boolean sample(Slot slot) {
        Job job = slot.job;
        GenerationRequest request = job.request();
        try {
            Continuation.Step step = slot.continuation.next(slot.logits, slot.cache.remaining() == 0, job::cancelled);
            TokenLogprob logprob = request.logprobs() ? TokenLogprob.of(slot.logits, vocab, step.id(), request.topLogprobs()) : null;
            generated.incrementAndGet();
            job.post(new Job.Token(step.id(), step.text(), logprob));
            if (step.done()) {
                end(slot, step.finish());
                return false;
            }
            return true;
        } catch (RuntimeException e) {
            fail(slot, internal(e));
            return false;
        }
    }

    private void end(Slot slot, FinishReason finish) {
        slot.job.post(new Job.Done(finish, slot.job.request().prompt().length, slot.continuation.generated()));
        release(slot);
    }

    private void fail(Slot slot, ApiException error) {
        slot.job.post(new Job.Failed(error));
        release(slot);
    }

    private void release(Slot slot) {
        slot.job = null;
        slot.continuation = null;
        busy.decrementAndGet();
        inFlight.decrementAndGet();
    }

    /** A failure inside the model: said to the client without internals. */
    private static ApiException internal(RuntimeException e) {
        String message = e instanceof JgptException ? e.getMessage() : "internal error while generating";
        return new ApiException(500, "server_error", null, null, message);
    }

    @Override
    public void close() {
        closed = true;
        worker.interrupt();
        try {
            worker.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
