package dev.jgpt.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * A JSON answer that takes a while to make: each {@link #tick} writes one space ahead of it (JSON
 * allows whitespace before a value, so the body parses the same), which fails once the client has
 * hung up. Until the first tick nothing is written, so the status and headers stay free to choose.
 */
final class SpacedJson {
    private static final String JSON = "application/json";

    private final Context ctx;
    private final ObjectMapper json;
    private OutputStream out;

    SpacedJson(Context ctx, ObjectMapper json) {
        this.ctx = ctx;
        this.json = json;
    }

    /** Whether the 200 status is sent (after the first tick), so an error can only go into the body. */
    boolean committed() {
        return out != null;
    }

    /** Writes and flushes one space. @throws UncheckedIOException when the client is gone */
    void tick() {
        try {
            if (out == null) {
                ctx.status(200);
                ctx.res().setContentType(JSON);
                out = ctx.res().getOutputStream();
            }
            out.write(' ');
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Ends the answer with {@code body}; {@code status} applies only when nothing was written yet. */
    void finish(int status, JsonNode body) {
        try {
            byte[] bytes = json.writeValueAsBytes(body);
            if (out == null) {
                ctx.status(status).contentType(JSON).result(bytes);
            } else {
                out.write(bytes);
                out.flush();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
