package dev.jgpt.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The command line run in a JVM of its own (this test's class path and JDK), for what needs a process: kill -9, JIT flags. */
record ChildJvm(Process process, Path output) {
    /** Starts {@code jgpt args...} with {@code jvmOptions}; stdout and stderr go to {@code output}. */
    static ChildJvm start(Path output, List<String> jvmOptions, String... args) {
        return start(output, jvmOptions, Map.of(), args);
    }

    /** {@link #start(Path, List, String...)} with {@code environment} added to this process's. */
    static ChildJvm start(Path output, List<String> jvmOptions, Map<String, String> environment, String... args) {
        List<String> options = new ArrayList<>(List.of("--add-modules", "jdk.incubator.vector"));
        options.addAll(jvmOptions);
        return launch(output, options, environment, args);
    }

    /** Starts {@code jgpt args...} in a JVM without the Vector API module (as {@code java -jar} without {@code --add-modules}). */
    static ChildJvm startWithoutVectorApi(Path output, String... args) {
        return launch(output, List.of(), Map.of(), args);
    }

    private static ChildJvm launch(Path output, List<String> jvmOptions, Map<String, String> environment, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--enable-native-access=ALL-UNNAMED");
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
            builder.environment().putAll(environment);
            Process process = builder.start();
            return new ChildJvm(process, output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits for the exit (at most {@code seconds}, then kills it) and returns the exit code. */
    int await(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("jgpt did not end within " + seconds + " s; its output:\n" + text());
        }
        return process.exitValue();
    }

    String text() {
        try {
            return Files.readString(output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
