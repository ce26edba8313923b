package dev.jgpt.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./jgpt} launcher, copied into a checkout of its own whose jar is up to date, run
 * against a stand-in JDK whose {@code java} only reports what it was given.
 */
class LauncherTest {
    private static final Path LAUNCHER = Path.of("..", "jgpt").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    private Path checkout;
    private Path jdk;

    @BeforeEach
    void standIns() throws IOException {
        assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "bash is not installed");
        checkout = Files.createDirectories(dir.resolve("checkout"));
        Files.copy(LAUNCHER, checkout.resolve("jgpt"));
        executable(checkout.resolve("jgpt"));
        Path jar = Files.createDirectories(checkout.resolve("jgpt-cli/target")).resolve("jgpt.jar");
        Files.writeString(jar, "stand-in");
        jdk = Files.createDirectories(dir.resolve("jdk/bin")).getParent();
        Files.writeString(jdk.resolve("release"), "JAVA_VERSION=\"25.0.1\"\n");
        Files.writeString(jdk.resolve("bin/javac"), "#!/bin/sh\n");
        // the stand-in java: its pid and arguments to a file, the JVM's incubator notice and a line of its own to stderr
        Files.writeString(jdk.resolve("bin/java"), """
                #!/bin/sh
                echo "$$ $*" > "%s"
                echo "WARNING: Using incubator modules: jdk.incubator.vector" >&2
                echo "a line of its own" >&2
                [ "$1" = "--add-modules" ] && [ "$6" = "--wait" ] && exec sleep 60
                exit 7
                """.formatted(dir.resolve("java.txt")));
        executable(jdk.resolve("bin/javac"));
        executable(jdk.resolve("bin/java"));
    }

    private static void executable(Path file) throws IOException {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private Process launch(Path launcher, String... args) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(launcher.toString());
        builder.command().addAll(java.util.List.of(args));
        builder.environment().put("JAVA_HOME", jdk.toString());
        builder.environment().remove("JGPT_JAVA_OPTS");
        return builder.directory(dir.toFile()).redirectError(dir.resolve("stderr.txt").toFile()).start();
    }

    private String javaSaw() throws IOException {
        return Files.readString(dir.resolve("java.txt")).strip();
    }

    @Test
    void javaReplacesTheLauncherSoItsExitCodeAndSignalsAreJavas() throws Exception {
        Process run = launch(checkout.resolve("jgpt"), "--wait");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!Files.exists(dir.resolve("java.txt")) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(javaSaw()).startsWith(run.pid() + " "); // exec: the launcher's process is java's
        run.destroy(); // SIGTERM, as timeout, systemd or a script sends it
        assertThat(run.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(run.toHandle().isAlive()).isFalse();

        Process quick = launch(checkout.resolve("jgpt"), "info");
        assertThat(quick.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(quick.exitValue()).isEqualTo(7);
    }

    @Test
    void theIncubatorNoticeIsDroppedAndOtherErrorLinesPassThrough() throws Exception {
        Process run = launch(checkout.resolve("jgpt"), "info");
        assertThat(run.waitFor(20, TimeUnit.SECONDS)).isTrue();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.readString(dir.resolve("stderr.txt")).contains("a line of its own") && System.nanoTime() < deadline) {
            Thread.sleep(20); // the filter may flush just after java ends
        }
        assertThat(Files.readString(dir.resolve("stderr.txt"))).contains("a line of its own").doesNotContain("incubator");
    }

    @Test
    void aSymlinkInPathRunsTheCheckoutItPointsTo() throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path link = Files.createSymbolicLink(bin.resolve("jgpt"), checkout.resolve("jgpt"));
        Process run = launch(link, "info");
        assertThat(run.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(javaSaw()).contains("-jar " + checkout.toRealPath().resolve("jgpt-cli/target/jgpt.jar") + " info");
    }
}
