package dev.jgpt.server;

import dev.jgpt.JgptException;
import dev.jgpt.generate.BatchGenerator;
import dev.jgpt.generate.Continuation;
import dev.jgpt.generate.FinishReason;
import dev.jgpt.model.Transformer;
import dev.jgpt.tokenizer.Tokenizer;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Runs every request on one worker thread: N slots, each a lane of a {@link BatchGenerator} with
 * its own KV cache, decode together, one token per slot per round in one batched forward pass
 * (the weights are read once for all slots; the kernels under it use every core). A new request's
 * prompt runs alone when it takes a slot. Further requests wait in a bounded queue, and a
 * request beyond that is refused (429). A cancelled job leaves its slot at its next token.
 *
 * <p>A slot keeps the prompt it last ran after its request ends. A new request takes the free slot
 * whose cache holds the longest start of its prompt (the least recently used among equals), keeps
 * those positions and runs only the rest (the next turn of a chat runs its new messages), with
 * the logits a run from scratch gives ({@link BatchGenerator#prefill}).
 * Other work on the model ({@link #call}) runs on the same thread between decode rounds, so
 * nothing ever runs the (not thread-safe) Transformer beside the slots.
 *
 * <p>One request can fail; nothing else may: whatever a job throws, an Error included, fails that
 * job alone (500). A fault outside every job (in the scheduler itself) ends the worker thread,
 * which fails the jobs in its slots and starts a new worker to serve the queue. Only when no
 * thread can be started is the scheduler down, and then it refuses every request (503) instead of
 * queueing it for nobody.
 */
final class Scheduler implements AutoCloseable {
    /** One place where a request decodes. */
    private static final class Slot {
        final BatchGenerator.Lane lane;
        Job job;
        /** Prompt positions the job kept from the slot's cache. */
        int cached;
        /** When the slot last ended a job (the scheduler's count of ends), for least-recently-used choices. */
        long ended;

        Slot(BatchGenerator.Lane lane) {
            this.lane = lane;
        }
    }

    /** The worker threads a server runs on. */
    static final ThreadFactory WORKER_THREADS = Thread.ofPlatform().name("jgpt-scheduler").daemon().factory();

    private final Transformer model;
    private final BatchGenerator generator;
    private final int window;
    private final Slot[] slots;
    private final boolean promptCache;
    private long ends;
    private final int capacity;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger busy = new AtomicInteger();
    private final AtomicLong generated = new AtomicLong();
    private final LinkedBlockingQueue<Job> waiting = new LinkedBlockingQueue<>();
    private final ConcurrentLinkedQueue<Call<?>> calls = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pendingCalls = new AtomicInteger();
    private final ThreadFactory workers;
    private volatile Thread worker;
    private final AtomicInteger restarts = new AtomicInteger();
    /** Why the scheduler cannot serve (no worker could be started), or null. */
    private volatile String down;
    /** A fault for the worker to throw outside any job at its next round (see {@link #breakWorker}). */
    private volatile Error breakage;
    private volatile boolean closed;
    // the decode round in flight: the slots going on and their lanes
    private final Slot[] batch;
    private final BatchGenerator.Lane[] batchLanes;

    /**
     * @param window  positions of each slot's KV cache: the longest prompt plus continuation
     * @param queue   requests that may wait for a slot
     * @param promptCache whether a request keeps the start of its prompt that a slot's cache holds
     * @param workers makes the worker thread, and a new one whenever the last one ended by a fault
     */
    Scheduler(Transformer model, Tokenizer tokenizer, int slotCount, int queue, int window, boolean promptCache,
              ThreadFactory workers) {
        this.model = model;
        this.generator = new BatchGenerator(model, tokenizer, slotCount, window);
        this.window = window;
        this.promptCache = promptCache;
        this.slots = new Slot[slotCount];
        for (int i = 0; i < slotCount; i++) {
            slots[i] = new Slot(generator.lane(i));
        }
        this.capacity = slotCount + queue;
        this.batch = new Slot[slotCount];
        this.batchLanes = new BatchGenerator.Lane[slotCount];
        this.workers = workers;
        startWorker();
    }

    private void startWorker() {
        Thread thread = workers.newThread(this::work);
        if (thread == null) {
            throw new IllegalStateException("no thread for the scheduler");
        }
        thread.start();
        worker = thread;
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

    /** Times a worker thread ended by a fault and a new one took over. */
    int restarts() {
        return restarts.get();
    }

    /** Why the scheduler cannot take requests now, if it cannot: shutting down, or no worker thread. */
    Optional<String> problem() {
        if (closed) {
            return Optional.of("the server is shutting down");
        }
        String reason = down;
        if (reason == null && !worker.isAlive()) {
            reason = "the scheduler thread stopped";
        }
        return Optional.ofNullable(reason);
    }

    /** Makes the worker fail outside any job at its next round, as a fault in the scheduler itself would. For tests. */
    void breakWorker(Error fault) {
        breakage = fault;
    }

    /**
     * Queues the job; its events follow on {@link Job#take}.
     *
     * @throws ApiException 429 when every slot is busy and the queue is full, 503 once closed
     */
    void submit(Job job) {
        problem().ifPresent(reason -> {
            throw unavailable(reason);
        });
        if (inFlight.incrementAndGet() > capacity) {
            inFlight.decrementAndGet();
            throw new ApiException(429, "rate_limit_error", null, "queue_full", "all " + slots.length
                    + " slots are busy and " + (capacity - slots.length) + " requests already wait: try again later");
        }
        waiting.add(job);
        problem().ifPresent(reason -> failWaiting(unavailable(reason))); // closed or down meanwhile: no worker takes it
    }

    /** Work on the model from outside the slots, and where its result goes. */
    private record Call<T>(Function<Transformer, T> work, CompletableFuture<T> result) {
        void run(Transformer model) {
            try {
                result.complete(work.apply(model));
            } catch (Throwable e) { // an Error too: the call fails, the worker goes on
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
        problem().ifPresent(reason -> {
            throw unavailable(reason);
        });
        if (pendingCalls.incrementAndGet() > capacity) {
            pendingCalls.decrementAndGet();
            throw new ApiException(429, "rate_limit_error", null, "queue_full", capacity
                    + " requests on the model already wait: try again later");
        }
        Call<T> call = new Call<>(work, new CompletableFuture<>());
        calls.add(call);
        problem().ifPresent(reason -> failCalls(unavailable(reason))); // closed or down meanwhile: no worker takes it
        return call.result();
    }

    private void runCalls() {
        Call<?> call;
        while (!closed && (call = calls.poll()) != null) {
            pendingCalls.decrementAndGet();
            call.run(model);
        }
    }

    private void failCalls(ApiException error) {
        Call<?> call;
        while ((call = calls.poll()) != null) {
            pendingCalls.decrementAndGet();
            call.result().completeExceptionally(error);
        }
    }

    private void failWaiting(ApiException error) {
        Job job;
        while ((job = waiting.poll()) != null) {
            inFlight.decrementAndGet();
            job.post(new Job.Failed(error));
        }
    }

    private void failSlots(ApiException error) {
        for (Slot slot : slots) {
            if (slot.job != null) {
                fail(slot, error);
            }
        }
    }

    private static ApiException unavailable(String reason) {
        return new ApiException(503, "server_error", null, null, reason);
    }

    /**
     * The worker thread. It ends when the scheduler closes, failing what is left; or by a fault
     * that escaped every job's guard (a bug in the scheduler itself): then it fails the jobs in its
     * slots, whose state it can no longer trust, and starts a new worker thread that serves the
     * queue. Restarting the worker rather than exiting the process keeps the model loaded and
     * every other request going.
     */
    private void work() {
        Throwable fault = null;
        try {
            serve();
        } catch (InterruptedException e) {
            // closing
        } catch (Throwable e) {
            fault = e;
        }
        if (closed || fault == null) {
            ApiException gone = unavailable("the server is shutting down");
            failSlots(gone);
            failWaiting(gone);
            failCalls(gone);
            return;
        }
        restarts.incrementAndGet(); // counted before the clients hear of it
        try {
            failSlots(new ApiException(500, "server_error", null, null, "internal error: the scheduler failed and was restarted"));
        } finally {
            restart(fault);
        }
    }

    private void restart(Throwable fault) {
        try {
            startWorker();
        } catch (Throwable e) {
            down = "the scheduler thread stopped (" + fault.getClass().getSimpleName()
                    + ") and no new one could be started: restart the server";
            failWaiting(unavailable(down));
            failCalls(unavailable(down));
        }
    }

    private void serve() throws InterruptedException {
        while (!closed) {
            Error fault = breakage;
            if (fault != null) {
                breakage = null;
                throw fault;
            }
            runCalls();
            admit();
            decodeRound();
        }
    }

    /** Moves waiting jobs into free slots; waits for one when no slot is busy. */
    private void admit() throws InterruptedException {
        while (busy.get() < slots.length) {
            Job job = busy.get() > 0 ? waiting.poll() : waiting.poll(100, TimeUnit.MILLISECONDS);
            if (job == null) {
                return;
            }
            start(slotFor(job.request().prompt()), job);
        }
    }

    /** The free slot whose cache keeps the most of {@code prompt}; among equals, the one whose last job ended first. */
    private Slot slotFor(int[] prompt) {
        Slot best = null;
        int bestKept = -1;
        for (Slot slot : slots) {
            if (slot.job != null) {
                continue;
            }
            int kept = promptCache ? slot.lane.reusable(prompt) : 0;
            if (kept > bestKept || kept == bestKept && slot.ended < best.ended) {
                best = slot;
                bestKept = kept;
            }
        }
        return best;
    }

    /**
     * Runs the prompt into the slot's cache.
     *
     * <p>Here and in every other place that does one job's work, any Throwable fails that job
     * alone: out of memory, a fault reading a mapped file, a bug. The worker's interrupt on close
     * is never among them (no model code waits interruptibly) and the loop ends on {@code closed}.
     */
    private void start(Slot slot, Job job) {
        GenerationRequest request = job.request();
        slot.job = job;
        slot.cached = 0;
        busy.incrementAndGet();
        try {
            generator.begin(slot.lane, request.prompt(), request.settings());
            if (job.cancelled() || request.settings().maxTokens() == 0) {
                end(slot, job.cancelled() ? FinishReason.CANCELLED : FinishReason.LENGTH);
                return;
            }
            slot.cached = generator.prefill(slot.lane, promptCache);
        } catch (Throwable e) {
            fail(slot, internal(e));
        }
    }

    /** Samples one token in every busy slot, then runs the new tokens of the slots that go on through the model at once. */
    private void decodeRound() {
        int m = 0;
        for (Slot slot : slots) {
            if (slot.job != null && sample(slot)) {
                batchLanes[m] = slot.lane;
                batch[m++] = slot;
            }
        }
        if (m == 0) {
            return;
        }
        try {
            generator.advance(batchLanes, m);
        } catch (Throwable e) {
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
            Continuation.Step step = generator.sample(slot.lane, true, job::cancelled);
            TokenLogprob logprob = request.logprobs()
                    ? TokenLogprob.of(slot.lane.logits(), slot.lane.continuation().vocabulary(), step.id(), request.topLogprobs())
                    : null;
            generated.incrementAndGet();
            job.post(new Job.Token(step.id(), step.text(), logprob));
            if (step.done()) {
                end(slot, step.finish());
                return false;
            }
            return true;
        } catch (Throwable e) {
            fail(slot, internal(e));
            return false;
        }
    }

    private void end(Slot slot, FinishReason finish) {
        slot.job.post(new Job.Done(finish, slot.job.request().prompt().length, slot.cached,
                slot.lane.continuation().generated()));
        release(slot);
    }

    private void fail(Slot slot, ApiException error) {
        slot.job.post(new Job.Failed(error));
        release(slot);
    }

    private void release(Slot slot) {
        slot.job = null;
        slot.ended = ++ends;
        generator.release(slot.lane);
        busy.decrementAndGet();
        inFlight.decrementAndGet();
    }

    /** A failure inside the model: said to the client without internals. */
    private static ApiException internal(Throwable e) {
        String message = e instanceof JgptException ? e.getMessage() : "internal error while generating";
        return new ApiException(500, "server_error", null, null, message);
    }

    @Override
    public void close() {
        closed = true;
        Thread thread = worker;
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
