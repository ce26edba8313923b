package dev.jgpt.hub;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Hugging Face Hub played on 127.0.0.1 for tests: the listing API, {@code resolve} URLs that
 * redirect to a second server (a CDN on another port, so another origin) serving the bytes with
 * ranges; repositories can be gated, files can carry a wrong hash, and the CDN can break a
 * connection off after some bytes. Every request is recorded.
 */
public final class StandInHub implements AutoCloseable {
    /** One request as a server saw it. */
    public record Request(String server, String path, String range, String authorization) {}

    public static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
    private static final Pattern LISTING = Pattern.compile("/api/models/([^/]+/[^/]+)/revision/main");
    private static final Pattern RESOLVE = Pattern.compile("/([^/]+/[^/]+)/resolve/([0-9a-f]{40})/(.+)");
    private static final Pattern BLOB = Pattern.compile("/blobs/([^/]+)/(.+)");
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");

    private final Map<String, Map<String, byte[]>> repos = new ConcurrentHashMap<>();
    private final Set<String> gated = ConcurrentHashMap.newKeySet();
    private final Set<String> wrongHash = ConcurrentHashMap.newKeySet();
    private final Map<String, Long> breakAfter = new ConcurrentHashMap<>();
    private final Map<String, Long> stallAfter = new ConcurrentHashMap<>();
    private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
    private final HttpServer hub;
    private final HttpServer cdn;
    private volatile String token;

    public StandInHub() throws IOException {
        hub = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        cdn = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        hub.setExecutor(Executors.newVirtualThreadPerTaskExecutor()); // a stalled response must not hold up the next request
        cdn.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        hub.createContext("/", e -> serve(e, "hub"));
        cdn.createContext("/", e -> serve(e, "cdn"));
        hub.start();
        cdn.start();
    }

    /** The hub's address, as HF_ENDPOINT takes it. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + hub.getAddress().getPort());
    }

    /** Adds {@code path} with {@code bytes} to {@code repo} (created on first use). */
    public StandInHub file(String repo, String path, byte[] bytes) {
        repos.computeIfAbsent(repo, r -> Collections.synchronizedMap(new LinkedHashMap<>())).put(path, bytes);
        return this;
    }

    /** Makes {@code repo} answer 401 unless the request carries {@code token}. */
    public StandInHub gate(String repo, String token) {
        gated.add(repo);
        this.token = token;
        return this;
    }

    /** The listing gives {@code path} a SHA-256 that its bytes do not have. */
    public StandInHub wrongHash(String path) {
        wrongHash.add(path);
        return this;
    }

    /** The CDN's next response for {@code path} breaks off after {@code bytes} bytes of body. */
    public StandInHub breakAfter(String path, long bytes) {
        breakAfter.put(path, bytes);
        return this;
    }

    /** The CDN's next response for {@code path} sends {@code bytes} bytes of body, then nothing more, without closing. */
    public StandInHub stallAfter(String path, long bytes) {
        stallAfter.put(path, bytes);
        return this;
    }

    public List<Request> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void serve(HttpExchange e, String server) throws IOException {
        String path = e.getRequestURI().getPath();
        requests.add(new Request(server, path, e.getRequestHeaders().getFirst("Range"), e.getRequestHeaders().getFirst("Authorization")));
        try (e) {
            Matcher m;
            if (server.equals("hub") && (m = LISTING.matcher(path)).matches()) {
                if (allowed(e, m.group(1))) {
                    listing(e, m.group(1));
                }
            } else if (server.equals("hub") && (m = RESOLVE.matcher(path)).matches()) {
                if (allowed(e, m.group(1))) {
                    redirect(e, m.group(1), m.group(2), m.group(3));
                }
            } else if (server.equals("cdn") && (m = BLOB.matcher(path)).matches()) {
                bytes(e, m.group(1).replace("--", "/"), m.group(2));
            } else {
                send(e, 404, "{\"error\":\"not found\"}");
            }
        }
    }

    private boolean allowed(HttpExchange e, String repo) throws IOException {
        if (!repos.containsKey(repo)) {
            send(e, 404, "{\"error\":\"Repository not found\"}");
            return false;
        }
        if (gated.contains(repo) && !("Bearer " + token).equals(e.getRequestHeaders().getFirst("Authorization"))) {
            send(e, 401, "{\"error\":\"Access to model " + repo + " is restricted\"}");
            return false;
        }
        return true;
    }

    private void listing(HttpExchange e, String repo) throws IOException {
        ObjectNode root = new ObjectMapper().createObjectNode().put("id", repo).put("sha", COMMIT);
        ArrayNode siblings = root.putArray("siblings");
        repos.get(repo).forEach((path, bytes) -> {
            ObjectNode sibling = siblings.addObject().put("rfilename", path).put("size", bytes.length).put("blobId", "ab".repeat(20));
            String hash = wrongHash.contains(path) ? sha256(new byte[1]) : sha256(bytes);
            sibling.putObject("lfs").put("sha256", hash).put("size", bytes.length).put("pointerSize", 134);
        });
        send(e, 200, root.toString());
    }

    private void redirect(HttpExchange e, String repo, String commit, String path) throws IOException {
        if (!commit.equals(COMMIT) || !repos.get(repo).containsKey(path)) {
            send(e, 404, "{\"error\":\"Entry not found\"}");
            return;
        }
        e.getResponseHeaders().add("Location", "http://127.0.0.1:" + cdn.getAddress().getPort() + "/blobs/" + repo.replace("/", "--") + "/" + path);
        e.sendResponseHeaders(302, -1);
    }

    private void bytes(HttpExchange e, String repo, String path) throws IOException {
        byte[] bytes = repos.getOrDefault(repo, Map.of()).get(path);
        if (bytes == null) {
            send(e, 404, "not found");
            return;
        }
        String range = e.getRequestHeaders().getFirst("Range");
        int from = 0;
        if (range != null) {
            Matcher m = RANGE.matcher(range);
            from = m.matches() ? Integer.parseInt(m.group(1)) : bytes.length + 1;
            if (from >= bytes.length) {
                e.sendResponseHeaders(416, -1);
                return;
            }
            e.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (bytes.length - 1) + "/" + bytes.length);
        }
        e.sendResponseHeaders(range == null ? 200 : 206, bytes.length - from);
        Long cut = breakAfter.remove(path);
        Long stall = stallAfter.remove(path);
        OutputStream out = e.getResponseBody();
        if (stall != null) {
            out.write(bytes, from, (int) Math.min(stall, bytes.length - from));
            out.flush();
            try {
                Thread.sleep(120_000); // silent, connection open: the client must give up on its own
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        if (cut != null) {
            out.write(bytes, from, (int) Math.min(cut, bytes.length - from));
            out.flush();
            throw new IOException("the stand-in CDN breaks the connection off");
        }
        out.write(bytes, from, bytes.length - from);
    }

    private static void send(HttpExchange e, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        e.getResponseHeaders().add("Content-Type", "application/json");
        e.sendResponseHeaders(status, bytes.length);
        e.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        hub.stop(0);
        cdn.stop(0);
    }
}
