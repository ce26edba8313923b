package dev.jgpt.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Good streamed completions sent beside hostile clients, all at once, against a running server on
 * this machine: malformed JSON, 20 MB bodies, absurd {@code max_tokens}, lone surrogates, clients
 * that hang up mid-stream, and sockets that connect and say nothing or half a request. Bounded in
 * count (by {@code scale}) and in time (every socket read times out).
 */
final class HostileRun {
    /** A bad request: what it is, its body, and the statuses that would be right. */
    private record Bad(String kind, String body, List<Integer> expected) {
    }

    /** Requests that each misbehave in one way, and the right answers to them. */
    private static final List<Bad> BAD = List.of(
            new Bad("malformed JSON", "{\"prompt\": \"a\",", List.of(400)),
            new Bad("max_tokens 2147483647", completion("2147483647"), List.of(200)),
            new Bad("max_tokens 1000000000", completion("1000000000"), List.of(200)),
            new Bad("max_tokens 2^31", completion("2147483648"), List.of(400)),
            new Bad("max_tokens 1e9", completion("1e9"), List.of(400)),
            new Bad("max_tokens -1", completion("-1"), List.of(400)),
            new Bad("max_tokens 1.5", completion("1.5"), List.of(400)),
            new Bad("max_tokens \"10\"", completion("\"10\""), List.of(400)),
            new Bad("lone surrogate in a prompt", "{\"prompt\": \"a \\ud800 b \\udc00\", \"max_tokens\": 4}", List.of(200)),
            new Bad("lone surrogate in a message", "{\"messages\": [{\"role\": \"user\", \"content\": \"\\udfff?\"}], \"max_tokens\": 4}",
                    List.of(200)));
    /** 20 MB of JSON, shared by every client that sends it. */
    private static final byte[] HUGE_BODY = hugeBody();
    /** Long enough for a request that waits in the queue behind every good one. */
    private static final int READ_TIMEOUT_MS = 60_000;

    /**
     * @param goodSent      good streamed requests sent
     * @param goodCompleted those that ended with a finish reason and {@code [DONE]}
     * @param statuses      per kind of bad client, how many got each status (-1: the connection ended without one)
     * @param wrong         bad clients whose status was not a right one, described
     */
    record Report(int goodSent, int goodCompleted, Map<String, Map<Integer, Integer>> statuses, List<String> wrong,
                  long rssBeforeKb, long rssAfterKb, long heapAfterGcKb, double seconds) {
        String describe() {
            StringBuilder out = new StringBuilder();
            out.append(String.format("good streamed requests: %d of %d completed in %.1f s%n", goodCompleted, goodSent, seconds));
            statuses.forEach((kind, counts) -> out.append(String.format("  %-32s %s%n", kind, counts)));
            out.append(String.format("RSS before %d MB, after %d MB (client and server in one process); heap in use after GC %d MB%n",
                    rssBeforeKb / 1024, rssAfterKb / 1024, heapAfterGcKb / 1024));
            wrong.forEach(w -> out.append("  wrong: ").append(w).append('\n'));
            return out.toString();
        }
    }

    private final TestServer server;
    private final Map<String, Map<Integer, Integer>> statuses = new ConcurrentHashMap<>();
    private final List<String> wrong = Collections.synchronizedList(new ArrayList<>());

    private HostileRun(TestServer server) {
        this.server = server;
    }

    private static String completion(String maxTokens) {
        return "{\"prompt\": \"Once upon a time\", \"max_tokens\": " + maxTokens + "}";
    }

    /** {@code good} streamed requests beside {@code scale} clients of each hostile kind. */
    static Report run(TestServer server, int good, int scale) throws Exception {
        return new HostileRun(server).run(good, scale);
    }

    private Report run(int good, int scale) throws Exception {
        long rssBefore = rssKb();
        long start = System.nanoTime();
        List<Socket> idle = new ArrayList<>();
        AtomicInteger completed = new AtomicInteger();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < scale; i++) {
                idle.add(idleSocket(null));
                idle.add(idleSocket("POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"prompt"));
            }
            List<Future<?>> tasks = new ArrayList<>();
            for (int i = 0; i < good; i++) {
                String prompt = "Once upon a time " + (i % 4 == 0 ? "there was" : "a little");
                tasks.add(pool.submit(() -> {
                    if (streamCompletes(prompt)) {
                        completed.incrementAndGet();
                    }
                }));
            }
            for (int i = 0; i < scale; i++) {
                for (Bad bad : BAD) {
                    String path = bad.body().contains("\"messages\"") ? "/v1/chat/completions" : "/v1/completions";
                    tasks.add(pool.submit(() -> count(bad.kind(), send(path, bad.body().getBytes(StandardCharsets.UTF_8), false),
                            bad.expected())));
                }
                // refused: a 413, or (-1) a reset when the server closes while megabytes are still unsent,
                // which can discard its 413 before the client reads it
                tasks.add(pool.submit(() -> count("20 MB body, Content-Length", send("/v1/completions", HUGE_BODY, false),
                        List.of(413, -1))));
                tasks.add(pool.submit(() -> count("20 MB body, chunked", send("/v1/completions", HUGE_BODY, true),
                        List.of(413, -1))));
                tasks.add(pool.submit(() -> count("hangs up mid-stream", hangUpMidStream(), List.of(200))));
            }
            for (Future<?> task : tasks) {
                task.get(60, TimeUnit.SECONDS);
            }
        } finally {
            for (Socket socket : idle) {
                socket.close();
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long rssAfter = rssKb();
        System.gc();
        long heapAfterGc = (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) / 1024;
        return new Report(good, completed.get(), new TreeMap<>(statuses), List.copyOf(wrong), rssBefore, rssAfter, heapAfterGc, seconds);
    }

    private void count(String kind, int status, List<Integer> expected) {
        statuses.computeIfAbsent(kind, k -> new ConcurrentHashMap<>()).merge(status, 1, Integer::sum);
        if (!expected.contains(status)) {
            wrong.add(kind + ": " + status);
        }
    }

    private static byte[] hugeBody() {
        byte[] body = new byte[20 << 20];
        byte[] start = "{\"prompt\": \"a\", \"padding\": \"".getBytes(StandardCharsets.US_ASCII);
        Arrays.fill(body, (byte) 'x');
        System.arraycopy(start, 0, body, 0, start.length);
        body[body.length - 2] = '"';
        body[body.length - 1] = '}';
        return body;
    }

    /** A good request, streamed: whether it ended with a finish reason and {@code [DONE]}. */
    private boolean streamCompletes(String prompt) {
        List<String> data = server.stream("/v1/completions",
                "{\"prompt\": \"" + prompt + "\", \"max_tokens\": 24, \"temperature\": 0, \"stream\": true}");
        return data.size() >= 2 && data.getLast().equals("[DONE]")
                && TestServer.json(data.get(data.size() - 2)).at("/choices/0/finish_reason").isTextual();
    }

    /** A socket that sends {@code start} (or nothing) and then waits, until the run ends. */
    private Socket idleSocket(String start) throws IOException {
        Socket socket = new Socket("127.0.0.1", server.server.port());
        if (start != null) {
            socket.getOutputStream().write(start.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
        }
        return socket;
    }

    /** Starts a long stream, reads its first event and closes the connection: the status seen. */
    private int hangUpMidStream() {
        try (Socket socket = open("/v1/completions",
                "{\"prompt\": \"Once\", \"max_tokens\": 200, \"stream\": true}".getBytes(StandardCharsets.UTF_8), false)) {
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            int status = status(in.readLine());
            String line;
            while ((line = in.readLine()) != null && !line.startsWith("data: ")) {
                // headers
            }
            return line == null ? -1 : status;
        } catch (IOException e) {
            return -1;
        }
    }

    /** Sends a POST by hand; the status of the answer, or -1 when the connection ended without one. */
    private int send(String path, byte[] body, boolean chunked) {
        try (Socket socket = open(path, body, chunked)) {
            return status(new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8)).readLine());
        } catch (SocketTimeoutException e) {
            wrong.add(path + ": no answer within " + READ_TIMEOUT_MS + " ms");
            return -1;
        } catch (IOException e) {
            return -1;
        }
    }

    /** A connection with the request sent, as far as the server would take it. */
    private Socket open(String path, byte[] body, boolean chunked) throws IOException {
        Socket socket = new Socket("127.0.0.1", server.server.port());
        socket.setSoTimeout(READ_TIMEOUT_MS);
        OutputStream out = socket.getOutputStream();
        String length = chunked ? "Transfer-Encoding: chunked" : "Content-Length: " + body.length;
        out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nConnection: close\r\n"
                + length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        try {
            for (int at = 0; at < body.length; at += 1 << 16) {
                int n = Math.min(1 << 16, body.length - at);
                if (chunked) {
                    out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                }
                out.write(body, at, n);
                if (chunked) {
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                }
            }
            if (chunked) {
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            out.flush();
        } catch (IOException e) {
            // the server answered and closed before the whole body was sent: its answer can still be read
        }
        return socket;
    }

    private static int status(String statusLine) {
        if (statusLine == null || !statusLine.startsWith("HTTP/1.1 ")) {
            return -1;
        }
        return Integer.parseInt(statusLine.substring(9, 12));
    }

    /** This process's resident memory (VmRSS), in kB. */
    static long rssKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
            return -1;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
