package dev.jgpt.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jgpt.JgptException;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.NotFoundResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The watch page over HTTP, on 127.0.0.1 only: the page, its script and its style (the explain
 * page's, and its own) from the jar ({@code /}), the state as JSON ({@code GET /api/state}), the records that come after it as
 * server-sent events ({@code GET /api/events?from=N}), and the explain page of the probe at a step
 * ({@code GET /probe/STEP}).
 */
final class WatchServer implements AutoCloseable {
    static final String HOST = "127.0.0.1";
    /** A comment on an idle event stream, so that neither end takes it for dead. */
    private static final long KEEP_ALIVE_MILLIS = 15_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final WatchState state;
    private final Javalin app;

    private WatchServer(WatchState state, int port) {
        this.state = state;
        this.app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.jetty.host = HOST;
            config.jetty.port = port;
            config.routes.get("/", ctx -> resource(ctx, "watch.html", "text/html"));
            config.routes.get("/watch.js", ctx -> resource(ctx, "watch.js", "text/javascript"));
            config.routes.get("/watch.css", ctx -> resource(ctx, "watch.css", "text/css"));
            config.routes.get("/explain.css", ctx -> resource(ctx, "explain.css", "text/css"));
            config.routes.get("/api/state", ctx -> ctx.contentType("application/json").result(JSON.writeValueAsBytes(state.json())));
            config.routes.get("/api/events", this::events);
            config.routes.get("/probe/{step}", this::probe);
        });
    }

    /** Serves {@code state} on {@code port} (0: a free one). */
    static WatchServer start(WatchState state, int port) {
        WatchServer server = new WatchServer(state, port);
        try {
            server.app.start();
        } catch (RuntimeException e) {
            throw new JgptException("cannot listen on " + HOST + ":" + port + " for the watch page: "
                    + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()));
        }
        return server;
    }

    URI uri() {
        return URI.create("http://" + HOST + ":" + app.port() + "/");
    }

    /** Serves until the process is stopped (Ctrl-C). */
    void serveUntilStopped() throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            close();
            stopped.countDown();
        }));
        stopped.await();
    }

    /** Ends the event streams and stops listening. */
    @Override
    public void close() {
        state.close();
        app.stop();
    }

    private static void resource(Context ctx, String name, String type) throws IOException {
        try (InputStream in = WatchServer.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("resource dev/jgpt/cli/" + name + " is missing from the jar");
            }
            ctx.contentType(type + "; charset=utf-8").header("Cache-Control", "no-cache").result(in.readAllBytes());
        }
    }

    /** The records after the first {@code from} (or the browser's Last-Event-ID), as they come, until the state closes. */
    private void events(Context ctx) throws IOException, InterruptedException {
        String resumeAt = ctx.header("Last-Event-ID");
        int next = parseCount(resumeAt != null ? resumeAt : ctx.queryParam("from"));
        ctx.status(200);
        ctx.res().setContentType("text/event-stream; charset=utf-8");
        ctx.res().setHeader("Cache-Control", "no-cache");
        OutputStream out = ctx.res().getOutputStream();
        out.write("retry: 2000\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
        while (!state.isClosed()) {
            List<ObjectNode> records = state.after(next, KEEP_ALIVE_MILLIS);
            if (records.isEmpty()) {
                out.write(": waiting\n\n".getBytes(StandardCharsets.UTF_8));
            }
            for (ObjectNode record : records) {
                next++;
                out.write(("id: " + next + "\ndata: ").getBytes(StandardCharsets.UTF_8));
                out.write(JSON.writeValueAsBytes(record));
                out.write("\n\n".getBytes(StandardCharsets.UTF_8));
            }
            out.flush(); // a client that has gone makes this throw, which ends the stream
        }
    }

    private void probe(Context ctx) throws IOException {
        JsonNode explanation;
        try {
            explanation = state.probe(Long.parseLong(ctx.pathParam("step")));
        } catch (NumberFormatException e) {
            explanation = null;
        }
        if (explanation == null) {
            throw new NotFoundResponse("no probe at that step");
        }
        StringWriter page = new StringWriter();
        ExplainPage.render(page, explanation.toString());
        ctx.html(page.toString());
    }

    private static int parseCount(String text) {
        try {
            return text == null ? 0 : Math.max(0, Integer.parseInt(text.strip()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
