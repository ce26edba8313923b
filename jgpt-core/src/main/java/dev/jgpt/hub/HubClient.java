package dev.jgpt.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jgpt.JgptException;
import dev.jgpt.Quoted;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * The hub's HTTP side: a repository's listing at main ({@code GET /api/models/OWNER/REPO/revision/main?blobs=true}:
 * the commit and every file with its size and LFS SHA-256) and a file's bytes
 * ({@code GET /OWNER/REPO/resolve/COMMIT/PATH}, which redirects, often to another host).
 * Redirects are followed here, so that the token goes to the hub only and never to a CDN.
 */
final class HubClient {
    /** A repository at a commit: its files. */
    record Listing(String commit, List<RepoFile> files) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(60);
    private static final int MAX_REDIRECTS = 10;
    private static final int MAX_ATTEMPTS = 5;

    private final HubSettings settings;
    private final HttpClient http;

    HubClient(HubSettings settings) {
        this.settings = settings;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** The commit main points to and the files there. */
    Listing listing(String repo) {
        URI uri = at("api/models/" + repo + "/revision/main?blobs=true");
        HttpResponse<InputStream> response = get(uri, Optional.empty(), repo);
        JsonNode root;
        try (InputStream body = response.body()) {
            if (response.statusCode() != 200) {
                throw refused(response.statusCode(), repo, uri);
            }
            root = JSON.readTree(body);
        } catch (IOException e) {
            throw new JgptException("reading the listing of " + repo + " from " + uri + " failed: " + e.getMessage(), e);
        }
        String commit = root.path("sha").asText("");
        if (!commit.matches("[0-9a-f]{40}")) {
            throw new JgptException("the listing of " + repo + " from " + uri + " has no commit (\"sha\"), got " + Quoted.of(commit));
        }
        List<RepoFile> files = new ArrayList<>();
        for (JsonNode sibling : root.path("siblings")) {
            String path = sibling.path("rfilename").asText("");
            JsonNode lfs = sibling.path("lfs");
            Optional<String> sha256 = Optional.of(lfs.path("sha256").asText("")).filter(h -> h.matches("[0-9a-f]{64}"));
            long size = lfs.has("size") ? lfs.path("size").asLong() : sibling.path("size").asLong(-1);
            String oid = sibling.path("blobId").asText("");
            if (path.isEmpty() || path.contains("..") || size < 0 || (sha256.isEmpty() && !oid.matches("[0-9a-f]{40}"))) {
                continue; // not a file jgpt could fetch and check
            }
            files.add(new RepoFile(path, size, sha256, oid));
        }
        return new Listing(commit, files);
    }

    /**
     * Fetches {@code file} of {@code repo} at {@code commit} into {@code partial}, continuing
     * what is there (an HTTP range request); a connection that breaks off is resumed the same
     * way, a few times. The bytes are not checked here.
     */
    void download(String repo, String commit, RepoFile file, Path partial, LongConsumer progress) {
        URI uri = at(repo + "/resolve/" + commit + "/" + encodePath(file.path()));
        IOException last = null;
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            long have = sizeOf(partial);
            if (have > file.size()) {
                delete(partial);
                have = 0;
            }
            if (have == file.size()) {
                return;
            }
            HttpResponse<InputStream> response = get(uri, Optional.of(have), repo);
            try (InputStream body = response.body(); StallGuard guard = new StallGuard(settings.stall())) {
                int status = response.statusCode();
                boolean append = status == 206 && response.headers().firstValue("Content-Range").orElse("").startsWith("bytes " + have + "-");
                if (status == 416 || (status == 206 && !append)) {
                    delete(partial); // the server disagrees about what we have: start over
                    continue;
                }
                if (status != 200 && status != 206) {
                    throw refused(status, repo, uri);
                }
                long done = append ? have : 0;
                try (OutputStream out = Files.newOutputStream(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
                    byte[] buffer = new byte[1 << 16];
                    for (int n; (n = body.read(buffer)) >= 0; ) {
                        guard.progressed();
                        out.write(buffer, 0, n);
                        done += n;
                        progress.accept(done);
                    }
                }
            } catch (IOException e) {
                last = e;
            }
        }
        if (sizeOf(partial) != file.size()) {
            throw new JgptException("fetching " + file.path() + " of " + repo + " broke off at " + sizeOf(partial) + " of " + file.size()
                    + " bytes" + (last == null ? "" : " (" + last.getMessage() + ")") + "; run the command again to resume");
        }
    }

    /**
     * Interrupts the downloading thread when nothing has arrived for the stall time: a read blocked
     * on a connection that went silent (no close, no error) then ends, and the download resumes on a
     * new connection with a range request.
     */
    private static final class StallGuard implements AutoCloseable {
        private static final ScheduledExecutorService WATCH = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform()
                .name("jgpt-download-watch").daemon().factory());

        private final Thread reader = Thread.currentThread();
        private final long stallNanos;
        private final ScheduledFuture<?> watch;
        private volatile long lastProgress = System.nanoTime();
        private volatile boolean fired;

        StallGuard(Duration stall) {
            stallNanos = stall.toNanos();
            long period = Math.max(1, stall.toMillis() / 4);
            watch = WATCH.scheduleWithFixedDelay(this::check, period, period, TimeUnit.MILLISECONDS);
        }

        void progressed() {
            lastProgress = System.nanoTime();
        }

        private synchronized void check() {
            if (!fired && System.nanoTime() - lastProgress > stallNanos) {
                fired = true;
                reader.interrupt();
            }
        }

        @Override
        public synchronized void close() {
            watch.cancel(false);
            if (fired) {
                Thread.interrupted(); // the interrupt was this guard's, not the caller's
            }
        }
    }

    /** A GET that follows redirects itself: the token only to the hub's own host, the range to every hop. */
    private HttpResponse<InputStream> get(URI uri, Optional<Long> from, String repo) {
        URI current = uri;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpRequest.Builder request = HttpRequest.newBuilder(current).timeout(ANSWER_TIMEOUT).GET();
            if (sameOrigin(current, settings.endpoint())) {
                settings.token().ifPresent(t -> request.header("Authorization", "Bearer " + t));
            }
            from.filter(f -> f > 0).ifPresent(f -> request.header("Range", "bytes=" + f + "-"));
            HttpResponse<InputStream> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (IOException e) {
                throw new JgptException("cannot reach " + current.getHost() + " for " + repo + ": " + Objects.toString(e.getMessage(), e.toString()), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new JgptException("interrupted while fetching " + repo, e);
            }
            int status = response.statusCode();
            Optional<String> location = response.headers().firstValue("Location");
            if (status / 100 != 3 || location.isEmpty()) {
                return response;
            }
            close(response);
            current = current.resolve(location.get());
        }
        throw new JgptException("more than " + MAX_REDIRECTS + " redirects fetching " + uri);
    }

    private JgptException refused(int status, String repo, URI uri) {
        return switch (status) {
            case 401, 403 -> new JgptException("no access to " + repo + " (the hub answered " + status + "; the repository is gated, private or"
                    + " missing): set HF_TOKEN to an access token"
                    + " of an account that has accepted its licence on " + settings.endpoint().resolve("/" + repo)
                    + (settings.token().isPresent() ? " (the token given was refused)" : ""));
            case 404 -> new JgptException("no " + repo + " on " + settings.endpoint() + " (404 for " + uri.getPath() + "); check the name");
            default -> new JgptException("the hub answered " + status + " for " + uri);
        };
    }

    private URI at(String path) {
        String base = settings.endpoint().toString();
        return URI.create(base.endsWith("/") ? base + path : base + "/" + path);
    }

    private static String encodePath(String path) {
        List<String> parts = new ArrayList<>();
        for (String part : path.split("/")) {
            parts.add(URLEncoder.encode(part, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return String.join("/", parts);
    }

    private static boolean sameOrigin(URI a, URI b) {
        return Objects.equals(a.getScheme(), b.getScheme()) && Objects.equals(a.getHost(), b.getHost()) && a.getPort() == b.getPort();
    }

    private static void close(HttpResponse<InputStream> response) {
        try {
            response.body().close();
        } catch (IOException ignored) {
            // a redirect's body is of no interest
        }
    }

    static long sizeOf(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new JgptException("cannot remove " + file + ": " + e.getMessage(), e);
        }
    }
}
