package dev.jgpt.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jgpt.JgptException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A bounded load run against a server: {@code requests} streamed completions sent by
 * {@code concurrency} clients at once, each client sending its next request when the last one
 * ends. Reports throughput over all requests, time to first token and to the last one.
 */
public final class LoadRun {
    /**
     * @param completed       requests answered to the end ({@code [DONE]})
     * @param failed          requests refused or broken off
     * @param tokens          new tokens over all completed requests (their usage counts)
     * @param seconds         wall time of the run
     * @param firstTokenP50   median seconds from sending a request to its first token
     * @param firstTokenP95   95th percentile of the same
     * @param latencyP50      median seconds from sending a request to its end
     * @param latencyP95      95th percentile of the same
     */
    public record Report(int concurrency, int completed, int failed, long tokens, double seconds,
                         double firstTokenP50, double firstTokenP95, double latencyP50, double latencyP95) {
        public double tokensPerSecond() {
            return tokens / seconds;
        }
    }

    /**
     * One streamed request as the client saw it: whether it reached {@code [DONE]}, its text, its
     * usage counts, and the seconds to its first token and to its end.
     */
    record Outcome(boolean completed, String text, int promptTokens, int cachedTokens, int tokens, double firstToken,
                   double latency) {
        static final Outcome FAILED = new Outcome(false, "", 0, 0, 0, Double.NaN, Double.NaN);
    }

    static final ObjectMapper JSON = new ObjectMapper();

    private LoadRun() {
    }

    /**
     * Runs the load against {@code base} (e.g. {@code http://127.0.0.1:8080}); the prompt is sent
     * as text, with temperature 0 so that every request writes {@code maxTokens} tokens unless the
     * model ends its text first.
     */
    public static Report run(URI base, String apiKey, String prompt, int maxTokens, int concurrency, int requests) {
        if (concurrency < 1 || requests < 1 || maxTokens < 1) {
            throw new JgptException("a load run needs at least one client, one request and one token; got "
                    + concurrency + ", " + requests + ", " + maxTokens);
        }
        ObjectNode body = JSON.createObjectNode();
        body.put("prompt", prompt);
        HttpRequest built = streamed(base, apiKey, "/v1/completions", body, maxTokens);
        AtomicInteger left = new AtomicInteger(requests);
        List<Outcome> outcomes = new ArrayList<>();
        long start = System.nanoTime();
        try (HttpClient http = HttpClient.newHttpClient(); ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<List<Outcome>>> futures = new ArrayList<>();
            for (int c = 0; c < concurrency; c++) {
                futures.add(clients.submit(() -> {
                    List<Outcome> mine = new ArrayList<>();
                    while (left.getAndDecrement() > 0) {
                        mine.add(send(http, built));
                    }
                    return mine;
                }));
            }
            for (Future<List<Outcome>> f : futures) {
                outcomes.addAll(f.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JgptException("the load run was interrupted");
        } catch (ExecutionException e) {
            throw new JgptException("a load-run client failed: " + e.getCause());
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        List<Outcome> done = outcomes.stream().filter(Outcome::completed).toList();
        double[] first = done.stream().mapToDouble(Outcome::firstToken).sorted().toArray();
        double[] latency = done.stream().mapToDouble(Outcome::latency).sorted().toArray();
        return new Report(concurrency, done.size(), outcomes.size() - done.size(), done.stream().mapToLong(Outcome::tokens).sum(),
                seconds, percentile(first, 0.5), percentile(first, 0.95), percentile(latency, 0.5), percentile(latency, 0.95));
    }

    /** A streamed request of {@code body} to {@code path}, at temperature 0, asking for the usage counts at the end. */
    static HttpRequest streamed(URI base, String apiKey, String path, ObjectNode body, int maxTokens) {
        body.put("max_tokens", maxTokens);
        body.put("temperature", 0);
        body.put("stream", true);
        body.putObject("stream_options").put("include_usage", true);
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path))
                .header("Content-Type", "application/json").timeout(Duration.ofMinutes(10))
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        if (apiKey != null) {
            request.header("Authorization", "Bearer " + apiKey);
        }
        return request.build();
    }

    /** Sends one streamed request (a completion or a chat) and reads its answer to the end. */
    static Outcome send(HttpClient http, HttpRequest request) {
        long sent = System.nanoTime();
        double firstToken = Double.NaN;
        StringBuilder text = new StringBuilder();
        JsonNode usage = JSON.createObjectNode();
        boolean done = false;
        try {
            HttpResponse<Stream<String>> response = http.send(request, HttpResponse.BodyHandlers.ofLines());
            if (response.statusCode() != 200) {
                response.body().close();
                return Outcome.FAILED;
            }
            try (Stream<String> lines = response.body()) {
                for (Iterator<String> it = lines.iterator(); it.hasNext(); ) {
                    String line = it.next();
                    if (!line.startsWith("data: ")) {
                        continue;
                    }
                    String data = line.substring(6);
                    if (data.equals("[DONE]")) {
                        done = true;
                        break;
                    }
                    JsonNode chunk = JSON.readTree(data);
                    for (JsonNode choice : chunk.path("choices")) {
                        String piece = choice.path("text").asText("") + choice.path("delta").path("content").asText("");
                        // a chat's first chunk names the role alone; a token whose text waits for more bytes shows by its logprobs
                        if (Double.isNaN(firstToken) && (!piece.isEmpty() || choice.path("logprobs").isObject())) {
                            firstToken = (System.nanoTime() - sent) / 1e9;
                        }
                        text.append(piece);
                    }
                    if (chunk.path("usage").has("completion_tokens")) {
                        usage = chunk.path("usage");
                    }
                }
            }
        } catch (IOException e) {
            return Outcome.FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Outcome.FAILED;
        }
        return new Outcome(done, text.toString(), usage.path("prompt_tokens").asInt(),
                usage.path("prompt_tokens_details").path("cached_tokens").asInt(), usage.path("completion_tokens").asInt(),
                firstToken, (System.nanoTime() - sent) / 1e9);
    }

    /** The nearest-rank percentile of sorted values; NaN when there are none. */
    static double percentile(double[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.clamp(rank - 1, 0, sorted.length - 1)];
    }
}
