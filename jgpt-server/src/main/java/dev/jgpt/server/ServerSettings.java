package dev.jgpt.server;

import dev.jgpt.JgptException;

/**
 * How the server listens and schedules.
 *
 * @param host         address to bind: 127.0.0.1 (this machine only) unless opened on purpose
 * @param port         TCP port; 0 picks a free one
 * @param apiKey       when not null, every API request must carry {@code Authorization: Bearer <key>}
 * @param slots        requests decoded together, each with its own KV cache
 * @param queue        requests that may wait for a slot; more are refused with 429
 * @param maxBodyBytes largest request body accepted; larger is refused with 413
 * @param window       positions of each slot's KV cache (prompt plus new tokens)
 * @param modelId      the name {@code /v1/models} and every response give the model
 * @param promptCache  whether a request keeps the start of its prompt that a slot's KV cache holds
 */
public record ServerSettings(String host, int port, String apiKey, int slots, int queue, long maxBodyBytes, int window,
                             String modelId, boolean promptCache) {
    public static final String LOOPBACK = "127.0.0.1";

    /** Settings with the prompt cache on. */
    public ServerSettings(String host, int port, String apiKey, int slots, int queue, long maxBodyBytes, int window,
                          String modelId) {
        this(host, port, apiKey, slots, queue, maxBodyBytes, window, modelId, true);
    }

    public ServerSettings {
        if (port < 0 || port > 65535) {
            throw new JgptException("the port must be in 0..65535, got " + port);
        }
        if (slots < 1 || slots > 64) {
            throw new JgptException("slots must be in 1..64, got " + slots);
        }
        if (queue < 0) {
            throw new JgptException("the queue length must be 0 or more, got " + queue);
        }
        if (maxBodyBytes < 1024) {
            throw new JgptException("the body limit must be at least 1024 bytes, got " + maxBodyBytes);
        }
        if (window < 1) {
            throw new JgptException("the context window must be at least 1 position, got " + window);
        }
        if (apiKey != null && apiKey.isBlank()) {
            throw new JgptException("the API key is empty");
        }
    }

    /** Whether the host is reachable from this machine only. */
    public boolean loopbackOnly() {
        return host.equals("localhost") || host.equals("::1") || host.equals("[::1]") || host.startsWith("127.");
    }
}
