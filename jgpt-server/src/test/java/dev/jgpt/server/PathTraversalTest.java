package dev.jgpt.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Paths that climb out of the served root get no file: sent as raw bytes on a socket, since
 * {@link java.net.http.HttpClient} would tidy some of them before sending.
 */
class PathTraversalTest {
    @TempDir
    static Path modelDir;
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(modelDir, 1, 4, null);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** A response as read off the socket. */
    private record Raw(String status, String headers, String body) {
    }

    /** GETs {@code target}, exactly as written. */
    private static Raw get(String target) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.server.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int split = response.indexOf("\r\n\r\n");
            assertThat(split).as(response).isPositive();
            return new Raw(response.substring(0, response.indexOf("\r\n")), response.substring(0, split).toLowerCase(),
                    response.substring(split + 4));
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2fetc%2fpasswd", "/..%2f..%2fpom.xml",
        "/../pom.xml", "/%2E%2E/pom.xml", "/static/../../pom.xml", "/static/../../", "/static/..%2f..%2fpom.xml",
        "/v1/../../pom.xml", "/..\\..\\pom.xml", "/%2e%2e%5c%2e%2e%5cpom.xml", "//etc/passwd", "/.%2e/.%2e/etc/passwd",
        "/%252e%252e/%252e%252e/etc/passwd", "/etc/passwd", "/pom.xml", "/src/main/java/dev/jgpt/server/ApiServer.java",
    })
    void noPathReachesAFile(String target) throws Exception {
        Raw response = get(target);
        assertThat(response.status()).as(target).matches("HTTP/1\\.1 (400|404) .*");
        // no line of /etc/passwd, the pom or a source file
        assertThat(response.body()).doesNotContain("root:").doesNotContain("<artifactId>").doesNotContain("package dev.jgpt");
        assertThat(response.headers()).contains("content-type: application/json");
        JsonNode error = TestServer.json(response.body()).get("error");
        assertThat(error).as(response.body()).isNotNull();
        assertThat(error.has("message") && error.has("type") && error.has("code")).isTrue();
        assertThat(error.get("message").asText()).isNotBlank().doesNotContain("Exception");
    }
}
