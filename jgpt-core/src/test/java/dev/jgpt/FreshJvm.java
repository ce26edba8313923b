package dev.jgpt;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a class's {@code main} in a JVM of its own (this test's class path, without tiered
 * compilation) and returns the last line it printed. For measurements that whatever ran before
 * in the test JVM would change: how C2 compiles the shared Vector API call sites depends on the
 * type profiles every earlier test left (a loop compiled from a mixed profile runs boxed).
 */
public final class FreshJvm {
    private FreshJvm() {}

    public static String lastLine(Class<?> main) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(List.of(java.toString(), "--add-modules", "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "-XX:-TieredCompilation", "-cp", System.getProperty("java.class.path"),
                main.getName()))
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(3, TimeUnit.MINUTES)).as(output).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        String[] lines = output.strip().split("\\R");
        return lines[lines.length - 1];
    }
}
