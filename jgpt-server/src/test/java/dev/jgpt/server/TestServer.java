package dev.jgpt.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jgpt.SharedData;
import dev.jgpt.TinyModels;
import dev.jgpt.generate.LanguageModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.function.BooleanSupplier;

/** A random GPT-2 with a character tokenizer, served on a free port, and a real HTTP client to talk to it. */
final class TestServer implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    final LanguageModel lm;
    final ApiServer server;
    final HttpClient http = HttpClient.newHttpClient();
    /** The server's log lines, one per request. */
    final List<String> log;

    private TestServer(LanguageModel lm, ApiServer server, List<String> log) {
        this.lm = lm;
        this.server = server;
        this.log = log;
    }

    /** Writes the test model into {@code dir} (once per folder) and opens it. */
    static LanguageModel model(Path dir) {
        return model(dir, 0);
    }

    /** The test model with {@code padding} rows of embedding past its tokenizer's ids, as nanoGPT pads GPT-2's vocabulary. */
    static LanguageModel model(Path dir, int padding) {
        return model(dir, padding, 1024);
    }

    /** The test model with a context of {@code contextLength} positions. */
    static LanguageModel model(Path dir, int padding, int contextLength) {
        return LanguageModel.open(TinyModels.charGpt2Folder(dir, padding, contextLength));
    }

    /**
     * The test model with a context of 2048 (room for a template's tool instructions) carrying the chat
     * template {@code templateId} of the shared references, served with two slots.
     */
    static TestServer withChatTemplate(Path dir, String templateId, String apiKey) {
        model(dir, 0, 2048).close();
        try {
            Files.writeString(dir.resolve("chat_template.jinja"), SharedData.chatTemplate(templateId));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return start(LanguageModel.open(dir), new ServerSettings("127.0.0.1", 0, apiKey, 2, 4, 64 * 1024, 2048, "test-model"),
                Scheduler.WORKER_THREADS);
    }

    static TestServer start(Path dir, int slots, int queue, String apiKey) {
        return start(model(dir), new ServerSettings("127.0.0.1", 0, apiKey, slots, queue, 64 * 1024, 1024, "test-model"),
                Scheduler.WORKER_THREADS);
    }

    /** Serves {@code lm}, which the server closes with itself. */
    static TestServer start(LanguageModel lm, ServerSettings settings, ThreadFactory schedulerThreads) {
        List<String> log = new java.util.concurrent.CopyOnWriteArrayList<>();
        try {
            return new TestServer(lm, ApiServer.start(lm, settings, schedulerThreads, log::add), log);
        } catch (RuntimeException e) {
            lm.close();
            throw e;
        }
    }

    /** The model jgpt ships in its jar: a trained GPT-2 (context 256) with a byte-level BPE of 2048 tokens. */
    static LanguageModel shippedModel() {
        return LanguageModel.open(Path.of("../jgpt-cli/src/main/resources/dev/jgpt/cli/default-model"));
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    HttpResponse<String> post(String path, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (headers.length > 0) {
            request.headers(headers);
        }
        return send(request.build());
    }

    HttpResponse<String> get(String path, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).GET();
        if (headers.length > 0) {
            request.headers(headers);
        }
        return send(request.build());
    }

    /** The {@code data:} payloads of a streamed response, in order. */
    List<String> stream(String path, String body) {
        HttpRequest request = HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofString(body)).build();
        try {
            HttpResponse<java.util.stream.Stream<String>> response = http.send(request, HttpResponse.BodyHandlers.ofLines());
            if (response.statusCode() != 200) {
                throw new AssertionError("status " + response.statusCode());
            }
            List<String> data = new ArrayList<>();
            response.body().filter(line -> line.startsWith("data: ")).forEach(line -> data.add(line.substring(6)));
            return data;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    static JsonNode json(HttpResponse<String> response) {
        return json(response.body());
    }

    /** Waits up to 30 s for the condition. */
    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    @Override
    public void close() {
        server.close();
        lm.close();
    }
}
