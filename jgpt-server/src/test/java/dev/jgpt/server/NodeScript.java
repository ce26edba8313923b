package dev.jgpt.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs one of the scripts in src/test/node, whose packages {@code npm ci --prefix
 * jgpt-server/src/test/node} installs (.ci/run does), and reads the JSON it prints. The calling
 * test is skipped, with the reason, when node or the package is missing.
 */
final class NodeScript {
    static final Path DIR = Path.of("src/test/node");

    private NodeScript() {
    }

    static void assumeInstalled(String npmPackage) {
        assumeTrue(Files.isDirectory(DIR.resolve("node_modules").resolve(npmPackage)),
                "the npm package " + npmPackage + " is not installed: run npm ci --prefix jgpt-server/src/test/node");
        assumeTrue(nodeWorks(), "node is not installed");
    }

    static JsonNode run(String script, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("node", script));
        command.addAll(List.of(args));
        Process node = new ProcessBuilder(command).directory(DIR.toFile()).start();
        node.getOutputStream().close();
        // stderr to a file: reading the two pipes one after the other could block on a full one
        Path err = Files.createTempFile("jgpt-node", ".err");
        try {
            Thread drain = Thread.ofVirtual().start(() -> {
                try {
                    Files.write(err, node.getErrorStream().readAllBytes());
                } catch (IOException e) {
                    // the assertion below reports the exit status
                }
            });
            String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(node.waitFor(180, TimeUnit.SECONDS)).as("node finished").isTrue();
            drain.join();
            assertThat(node.exitValue()).as(Files.readString(err)).isZero();
            return TestServer.json(out);
        } finally {
            Files.deleteIfExists(err);
        }
    }

    private static boolean nodeWorks() {
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
