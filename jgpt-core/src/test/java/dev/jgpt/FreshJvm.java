package dev.jgpt;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a class's {@code main} in a JVM of its own (this test's class path) and returns the last
 * line it printed. For what a test JVM cannot do itself: measurements that whatever ran before
 * would change (how C2 compiles the shared Vector API call sites depends on the type profiles
 * every earlier test left; a loop compiled from a mixed profile runs boxed), or faults that may
 * end the JVM.
 */
public final class FreshJvm {
    private static final long TIMEOUT_MINUTES = 3;

    private FreshJvm() {}

    /** The last line of {@code main args...} run with {@code jvmOptions}; fails if it does not end well within 3 minutes. */
    public static String lastLine(List<String> jvmOptions, Class<?> main, String... args) throws IOException, InterruptedException {
        List<String> options = new ArrayList<>(List.of("--add-modules", "jdk.incubator.vector"));
        options.addAll(jvmOptions);
        return run(options, main, args);
    }

    /** The last line of {@code main args...} run in a JVM without the Vector API module (started without {@code --add-modules}). */
    public static String lastLineWithoutVectorApi(Class<?> main, String... args) throws IOException, InterruptedException {
        return run(List.of(), main, args);
    }

    private static String run(List<String> jvmOptions, Class<?> main, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        Path log = Files.createTempFile("fresh-jvm", ".log");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            boolean ended = process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES);
            if (!ended) {
                process.destroyForcibly().waitFor();
            }
            String output = Files.readString(log);
            assertThat(ended).as("ended within %d minutes: %s", TIMEOUT_MINUTES, output).isTrue();
            assertThat(process.exitValue()).as(output).isZero();
            String[] lines = output.strip().split("\\R");
            return lines[lines.length - 1];
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
