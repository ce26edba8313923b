package dev.jgpt.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Slots, the queue and its limit, and clients that go away. */
class SchedulingTest {
    private static final String LONG = "{\"prompt\": \"The\", \"max_tokens\": 1000, \"temperature\": 0, \"stream\": true}";
    private static final String LONG_WHOLE = LONG.replace("true", "false");

    @TempDir
    static Path modelDir;

    /** Sends a completion request by hand on a new socket. */
    private static Socket send(TestServer server, String json) throws Exception {
        Socket socket = new Socket("127.0.0.1", server.server.port());
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        OutputStream out = socket.getOutputStream();
        out.write(("POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
        return socket;
    }

    /** Starts a streamed request by hand on a socket and reads until its first token arrives. */
    private static Socket startStreaming(TestServer server) throws Exception {
        Socket socket = send(server, LONG);
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null && !line.startsWith("data: ")) {
            // status line and headers
        }
        assertThat(line).as("a first token").isNotNull();
        return socket;
    }

    @Test
    void aClientThatDisconnectsFreesItsSlotAtOnce() throws Exception {
        try (TestServer server = TestServer.start(modelDir, 1, 4, null)) {
            Socket socket = startStreaming(server);
            socket.close();
            // the only slot comes free long before 1000 tokens, and the next request is answered
            TestServer.await("the slot is free", () -> server.server.scheduler().busySlots() == 0);
            assertThat(server.server.scheduler().tokensGenerated()).isLessThan(500);
            HttpResponse<String> next = server.post("/v1/completions", "{\"prompt\": \"a\", \"max_tokens\": 5}");
            assertThat(next.statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aClientThatDisconnectsFromAWholeAnswerFreesItsSlotAtOnce() throws Exception {
        try (TestServer server = TestServer.start(modelDir, 1, 4, null)) {
            Socket socket = send(server, LONG_WHOLE);
            TestServer.await("generation is under way", () -> server.server.scheduler().tokensGenerated() > 0);
            socket.close();
            TestServer.await("the slot is free", () -> server.server.scheduler().busySlots() == 0);
            assertThat(server.server.scheduler().tokensGenerated()).isLessThan(500);
            HttpResponse<String> next = server.post("/v1/completions", "{\"prompt\": \"a\", \"max_tokens\": 5}");
            assertThat(next.statusCode()).isEqualTo(200);
            assertThat(TestServer.json(next).at("/usage/completion_tokens").asInt()).isEqualTo(5);
            // the first request never finished: everything generated since is at most its few tokens and the 5
            assertThat(server.server.scheduler().tokensGenerated()).isLessThan(500 + 5);
        }
    }

    @Test
    void beyondTheSlotsRequestsWaitAndBeyondTheQueueTheyAre429() throws Exception {
        try (TestServer server = TestServer.start(modelDir, 1, 1, null)) {
            Socket first = startStreaming(server);
            CompletableFuture<HttpResponse<String>> waiting = CompletableFuture.supplyAsync(
                    () -> server.post("/v1/completions", "{\"prompt\": \"b\", \"max_tokens\": 5}"));
            TestServer.await("the second request waits", () -> server.server.scheduler().inFlight() == 2);
            HttpResponse<String> refused = server.post("/v1/completions", "{\"prompt\": \"c\", \"max_tokens\": 5}");
            assertThat(ApiErrorsTest.error(refused, 429).get("type").asText()).isEqualTo("rate_limit_error");
            assertThat(waiting).isNotDone();
            first.close();
            assertThat(waiting.get().statusCode()).isEqualTo(200);
        }
    }
}
