package dev.jgpt.server;

import dev.jgpt.generate.FinishReason;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * One request on its way through the {@link Scheduler}: the worker thread posts events as it
 * decodes; the HTTP thread takes them and writes the response. Either side may cancel.
 */
final class Job {
    /** What the worker tells the HTTP thread. */
    sealed interface Event permits Token, Done, Failed {
    }

    /** A new token with the text it made safe to show (maybe empty) and its log-probability (or null). */
    record Token(int id, String text, TokenLogprob logprob) implements Event {
    }

    /** Generation ended; {@code cachedTokens} of the prompt's tokens came from the slot's cache. */
    record Done(FinishReason finish, int promptTokens, int cachedTokens, int completionTokens) implements Event {
    }

    /** Generation failed: the error to answer with. */
    record Failed(ApiException error) implements Event {
    }

    private final GenerationRequest request;
    private final Metrics metrics;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private volatile boolean cancelled;
    private boolean first = true;
    private long lastToken;       // when the last token was posted (nanoTime); the arrival before the first

    /** @param metrics where the time to the first token and between tokens is observed */
    Job(GenerationRequest request, Metrics metrics) {
        this.request = request;
        this.metrics = metrics;
        this.lastToken = System.nanoTime();
    }

    GenerationRequest request() {
        return request;
    }

    /** Asks the worker to stop this job at its next token (the client went away). */
    void cancel() {
        cancelled = true;
    }

    boolean cancelled() {
        return cancelled;
    }

    /** Called by the worker thread alone. */
    void post(Event event) {
        if (event instanceof Token) {
            long now = System.nanoTime();
            Histogram latency = first ? metrics.firstToken : metrics.perToken;
            latency.observe((now - lastToken) / 1e9);
            lastToken = now;
            first = false;
        }
        events.add(event);
    }

    /** The next event, waiting for it. */
    Event take() throws InterruptedException {
        return events.take();
    }
}
