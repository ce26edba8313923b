package dev.jgpt.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./jgpt} launcher, copied into a checkout of its own whose jar is up to date, run
 * against a stand-in JDK whose {@code java} only reports what it was given (and, asked for an
 * AOT cache, writes one), and a stand-in {@code mvn} that only says it was called.
 */
class LauncherTest {
    private static final Path LAUNCHER = Path.of("..", "jgpt").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    private Path checkout;
    private Path jar;
    private Path jdk;
    private Path bin;

    @BeforeEach
    void standIns() throws IOException {
        assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "bash is not installed");
        checkout = Files.createDirectories(dir.resolve("checkout"));
        Files.copy(LAUNCHER, checkout.resolve("jgpt"));
        executable(checkout.resolve("jgpt"));
        jar = Files.createDirectories(checkout.resolve("jgpt-cli/target")).resolve("jgpt.jar");
        Files.writeString(jar, "stand-in");
        jdk = Files.createDirectories(dir.resolve("jdk/bin")).getParent();
        Files.writeString(jdk.resolve("release"), "JAVA_VERSION=\"25.0.1\"\nJAVA_RUNTIME_VERSION=\"25.0.1+8-LTS\"\n");
        Files.writeString(jdk.resolve("bin/javac"), "#!/bin/sh\n");
        // the stand-in java: a training run (-XX:AOTCacheOutput) writes the cache unless told to
        // fail and is logged; any other run writes its pid and arguments to a file, and the JVM's
        // incubator notice and a line of its own to stderr
        Files.writeString(jdk.resolve("bin/java"), """
                #!/bin/sh
                for arg in "$@"; do
                  case "$arg" in
                    -XX:AOTCacheOutput=*)
                      echo "$*" >> "%1$s/training.txt"
                      [ -e "%1$s/fail-training" ] && exit 1
                      echo "a cache" > "${arg#-XX:AOTCacheOutput=}"
                      exit 0;;
                  esac
                done
                echo "$$ $*" > "%1$s/java.txt"
                echo "WARNING: Using incubator modules: jdk.incubator.vector" >&2
                echo "a line of its own" >&2
                for arg in "$@"; do [ "$arg" = "--wait" ] && exec sleep 60; done
                exit 7
                """.formatted(dir));
        executable(jdk.resolve("bin/javac"));
        executable(jdk.resolve("bin/java"));
        bin = Files.createDirectories(dir.resolve("bin"));
        Files.writeString(bin.resolve("mvn"), "#!/bin/sh\necho \"$*\" >> \"%s/mvn.txt\"\n".formatted(dir));
        executable(bin.resolve("mvn"));
    }

    private static void executable(Path file) throws IOException {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private Process launch(Path launcher, String... args) throws IOException {
        return launch(launcher, Map.of(), args);
    }

    private Process launch(Path launcher, Map<String, String> environment, String... args) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(launcher.toString());
        builder.command().addAll(List.of(args));
        builder.environment().put("JAVA_HOME", jdk.toString());
        builder.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        builder.environment().remove("JGPT_JAVA_OPTS");
        builder.environment().remove("JGPT_AOT_CACHE");
        builder.environment().putAll(environment);
        return builder.directory(dir.toFile())
                .redirectOutput(dir.resolve("stdout.txt").toFile())
                .redirectError(dir.resolve("stderr.txt").toFile())
                .start();
    }

    /** Runs the launcher to its end and returns what java was given. */
    private String run(Map<String, String> environment, String... args) throws Exception {
        Process run = launch(checkout.resolve("jgpt"), environment, args);
        assertThat(run.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(run.exitValue()).as(Files.readString(dir.resolve("stderr.txt"))).isEqualTo(7);
        return javaSaw();
    }

    private String run(String... args) throws Exception {
        return run(Map.of(), args);
    }

    private String javaSaw() throws IOException {
        return Files.readString(dir.resolve("java.txt")).strip();
    }

    private List<String> log(String name) throws IOException {
        Path file = dir.resolve(name);
        return Files.exists(file) ? Files.readAllLines(file) : List.of();
    }

    private Path cache() {
        return checkout.resolve("jgpt-cli/target/jgpt-25.0.1+8-LTS.aot");
    }

    @Test
    void javaReplacesTheLauncherSoItsExitCodeAndSignalsAreJavas() throws Exception {
        Process run = launch(checkout.resolve("jgpt"), "--wait");
        try {
            Path saw = dir.resolve("java.txt");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while ((!Files.exists(saw) || Files.readString(saw).isBlank()) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(javaSaw()).startsWith(run.pid() + " "); // exec: the launcher's process is java's
            run.destroy(); // SIGTERM, as timeout, systemd or a script sends it
            assertThat(run.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(run.toHandle().isAlive()).isFalse();
        } finally {
            run.destroyForcibly();
        }

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
        Path link = Files.createSymbolicLink(bin.resolve("jgpt"), checkout.resolve("jgpt"));
        Process run = launch(link, "info");
        assertThat(run.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(javaSaw()).contains("-jar " + checkout.toRealPath().resolve("jgpt-cli/target/jgpt.jar") + " info");
    }

    @Test
    void theFirstRunAfterABuildMakesTheAotCacheAndEveryRunUsesIt() throws Exception {
        assertThat(run("info")).contains("-XX:AOTCache=" + cache().toRealPath(), "-Xlog:aot*=off", " info");
        assertThat(log("training.txt")).singleElement().asString()
                .contains("-XX:AOTCacheOutput=", "-jar " + jar.toRealPath() + " generate");
        assertThat(Files.getLastModifiedTime(cache())).isEqualTo(Files.getLastModifiedTime(jar));
        assertThat(Files.readString(dir.resolve("stderr.txt"))).contains("jgpt: preparing the start-up cache");

        assertThat(run("tokenize", "Hi")).contains("-XX:AOTCache=" + cache().toRealPath());
        assertThat(log("training.txt")).hasSize(1);
        assertThat(Files.readString(dir.resolve("stderr.txt"))).doesNotContain("start-up cache");
    }

    @Test
    void aJarNewerOrOlderThanItsCacheGetsANewCache() throws Exception {
        run("info");
        FileTime built = Files.getLastModifiedTime(jar);
        for (FileTime rebuilt : List.of(FileTime.fromMillis(built.toMillis() + 60_000), FileTime.fromMillis(built.toMillis() - 60_000))) {
            Files.setLastModifiedTime(jar, rebuilt);
            assertThat(run("info")).contains("-XX:AOTCache=" + cache().toRealPath());
            assertThat(Files.getLastModifiedTime(cache())).isEqualTo(rebuilt);
        }
        assertThat(log("training.txt")).hasSize(3);
        try (var files = Files.list(cache().getParent())) {
            assertThat(files.map(Path::getFileName).map(Path::toString)).containsExactlyInAnyOrder("jgpt.jar", cache().getFileName().toString());
        }
    }

    @Test
    void aFailedTrainingRunLeavesTheRunsWithoutACacheUntilTheJarChanges() throws Exception {
        Files.writeString(dir.resolve("fail-training"), "");
        assertThat(run("info")).doesNotContain("AOTCache").contains(" info");
        assertThat(run("info")).doesNotContain("AOTCache");
        assertThat(log("training.txt")).hasSize(1);

        Files.delete(dir.resolve("fail-training"));
        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 60_000));
        assertThat(run("info")).contains("-XX:AOTCache=");
        assertThat(log("training.txt")).hasSize(2);
    }

    @Test
    void jgptAotCacheZeroRunsWithoutOne() throws Exception {
        assertThat(run(Map.of("JGPT_AOT_CACHE", "0"), "info")).doesNotContain("AOT").contains(" info");
        assertThat(log("training.txt")).isEmpty();
        assertThat(cache()).doesNotExist();
    }

    @Test
    void theHeapSettingsGiveWayToACollectorChosenInJgptJavaOpts() throws Exception {
        assertThat(run("info")).contains("-XX:+UseSerialGC -Xmn16m -XX:PretenureSizeThreshold=1m");
        String g1 = run(Map.of("JGPT_JAVA_OPTS", "-XX:+UseG1GC -Xmx2g"), "info");
        assertThat(g1).contains("-XX:+UseG1GC -Xmx2g").doesNotContain("UseSerialGC", "-Xmn", "Pretenure");
    }

    /** Writes an empty file modified at {@code time} in folders older than the jar. */
    private Path write(String relative, FileTime time) throws IOException {
        Path file = checkout.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, "");
        Files.setLastModifiedTime(file, time);
        FileTime before = FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() - 60_000);
        for (Path folder = file.getParent(); !folder.equals(checkout); folder = folder.getParent()) {
            Files.setLastModifiedTime(folder, before);
        }
        return file;
    }

    @Test
    void onlySourcesNewerThanTheJarRebuildIt() throws Exception {
        FileTime later = FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 60_000);
        for (String elsewhere : List.of("docs/notes.md", "jgpt-core/target/classes/A.class", "tools/Tool.java",
                "jgpt-server/src/test/node/node_modules/openai/index.js", "jgpt-core/src/test/java/ATest.java")) {
            write(elsewhere, later);
        }
        run("info");
        assertThat(log("mvn.txt")).isEmpty();

        Path source = write("jgpt-core/src/main/java/A.java", later);
        run("info");
        assertThat(log("mvn.txt")).singleElement().asString().contains("package");

        Files.delete(source); // a deleted source changes its folder
        Files.setLastModifiedTime(jar, later);
        Files.setLastModifiedTime(source.getParent(), FileTime.fromMillis(later.toMillis() + 60_000));
        run("info");
        assertThat(log("mvn.txt")).hasSize(2);
    }

    /** Prints its arguments: the program of the jar that {@link #aCacheTheJvmCannotUseIsPassedOverInSilence} runs on a real JDK. */
    public static final class Echo {
        public static void main(String[] args) {
            System.out.println("echo " + String.join(" ", args));
        }
    }

    @Test
    void aCacheTheJvmCannotUseIsPassedOverInSilence() throws Exception {
        String echo = Echo.class.getName().replace('.', '/') + ".class";
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, Echo.class.getName());
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream jarOut = new JarOutputStream(out, manifest)) {
            jarOut.putNextEntry(new JarEntry(echo));
            try (var in = Echo.class.getClassLoader().getResourceAsStream(echo)) {
                in.transferTo(jarOut);
            }
        }
        jdk = Path.of(System.getProperty("java.home"));
        Path classes = dir.resolve("classes.txt");
        Map<String, String> logClasses = Map.of("JGPT_JAVA_OPTS", "-Xlog:class+load:file=" + classes);

        Process first = launch(checkout.resolve("jgpt"), logClasses, "a", "b");
        assertThat(first.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(first.exitValue()).isZero();
        assertThat(Files.readString(dir.resolve("stdout.txt"))).isEqualTo("echo a b\n");
        Path cache;
        try (var files = Files.list(jar.getParent())) {
            cache = files.filter(f -> f.toString().endsWith(".aot")).findFirst().orElseThrow();
        }
        assertThat(Files.size(cache)).isPositive();
        assertThat(Files.readString(classes)).contains(Echo.class.getName() + " source: shared objects file");

        // what a crash or a full disk may leave: a cache cut short, or not a cache at all
        for (byte[] broken : List.of(Files.readAllBytes(cache), "not a cache".getBytes())) {
            Files.write(cache, Arrays.copyOf(broken, Math.min(broken.length, 100_000)));
            Files.setLastModifiedTime(cache, Files.getLastModifiedTime(jar));
            Process run = launch(checkout.resolve("jgpt"), logClasses, "c");
            assertThat(run.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(run.exitValue()).isZero();
            assertThat(Files.readString(dir.resolve("stdout.txt"))).isEqualTo("echo c\n");
            assertThat(Files.readString(dir.resolve("stderr.txt"))).isEmpty();
            assertThat(Files.readString(classes)).doesNotContain("shared objects file");
        }
    }
}
