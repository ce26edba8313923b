package dev.jgpt.server;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the server counts for {@code GET /metrics}, written in Prometheus's text exposition format:
 * requests by endpoint and status, tokens in (and of those, taken from a slot's cache) and out,
 * the scheduler's queue and busy slots, and histograms of the time to the first token and between
 * tokens.
 */
final class Metrics {
    /** The paths counted by name; any other (a 404's) is counted as "other", so that clients cannot grow the label set. */
    private static final Set<String> ENDPOINTS = Set.of("/", "/health", "/metrics", "/v1/models", "/v1/completions",
            "/v1/chat/completions", "/v1/embeddings", "/v1/explain", "/tokenize", "/detokenize");

    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
    private final LongAdder promptTokens = new LongAdder();
    private final LongAdder cachedTokens = new LongAdder();
    private final LongAdder completionTokens = new LongAdder();
    final Histogram firstToken = new Histogram("jgpt_first_token_seconds", "Time from a request's admission to its first token.",
            0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30);
    final Histogram perToken = new Histogram("jgpt_token_seconds", "Time between two tokens of one request.",
            0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5);

    void request(String path, int status) {
        String endpoint = ENDPOINTS.contains(path) ? path : "other";
        requests.computeIfAbsent(endpoint + "\u0000" + status, k -> new LongAdder()).increment();
    }

    void tokens(int prompt, int cached, int completion) {
        promptTokens.add(prompt);
        cachedTokens.add(cached);
        completionTokens.add(completion);
    }

    /** The exposition, with the scheduler's gauges as they are now. */
    String write(Scheduler scheduler) {
        StringBuilder out = new StringBuilder();
        out.append("# HELP jgpt_requests_total HTTP requests answered, by endpoint and status.\n");
        out.append("# TYPE jgpt_requests_total counter\n");
        new TreeMap<>(requests).forEach((key, count) -> {
            int cut = key.indexOf('\u0000');
            out.append("jgpt_requests_total{endpoint=\"").append(key, 0, cut).append("\",status=\"").append(key.substring(cut + 1))
                    .append("\"} ").append(count.sum()).append('\n');
        });
        metric(out, "jgpt_prompt_tokens_total", "counter", "Prompt tokens read.", promptTokens.sum());
        metric(out, "jgpt_prompt_tokens_cached_total", "counter", "Prompt tokens whose keys and values a slot's cache held.",
                cachedTokens.sum());
        metric(out, "jgpt_completion_tokens_total", "counter", "Tokens generated.", completionTokens.sum());
        metric(out, "jgpt_queue_depth", "gauge", "Requests waiting for a slot.",
                Math.max(0, scheduler.inFlight() - scheduler.busySlots()));
        metric(out, "jgpt_busy_slots", "gauge", "Slots decoding a request.", scheduler.busySlots());
        metric(out, "jgpt_slots", "gauge", "Slots in all.", scheduler.slotCount());
        firstToken.write(out);
        perToken.write(out);
        return out.toString();
    }

    private static void metric(StringBuilder out, String name, String type, String help, long value) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        out.append(name).append(' ').append(value).append('\n');
    }
}
