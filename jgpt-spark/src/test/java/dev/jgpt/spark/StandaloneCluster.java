package dev.jgpt.spark;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.SparkSession;

/**
 * A Spark standalone cluster on this machine: a Master and Workers, each a JVM of its own started
 * from this class path, every one bound to 127.0.0.1. Each Worker offers one core; its executors
 * are JVMs it starts, on the same class path.
 */
final class StandaloneCluster implements AutoCloseable {
    private static final Duration START_LIMIT = Duration.ofSeconds(120);

    private final Path dir;
    /** This JVM's class path, each entry absolute: Workers start executors in folders of their own. */
    private final String classPath = Arrays.stream(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"))
            .split(File.pathSeparator)).map(e -> Path.of(e).toAbsolutePath().toString()).collect(Collectors.joining(File.pathSeparator));
    private final List<String> jvmFlags = Arrays.stream(System.getProperty("jgpt.spark.jvmFlags", "").split("\\s+"))
            .filter(s -> !s.isEmpty()).toList();
    private final int port;
    private final Process master;
    private final List<Process> workers = new ArrayList<>();

    private StandaloneCluster(Path dir) throws IOException {
        this.dir = dir;
        // Workers look for Spark's libraries under SPARK_HOME/jars; here the class path brings them
        Files.createDirectories(dir.resolve("spark-home/jars"));
        this.port = freePort();
        this.master = launch("master", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", String.valueOf(port),
                "--webui-port", "0");
        awaitLine("master", master, "I have been elected leader");
    }

    /** A Master and {@code workers} Workers, returned once every Worker has registered. */
    static StandaloneCluster start(Path dir, int workers) {
        try {
            StandaloneCluster cluster = new StandaloneCluster(dir);
            try {
                for (int i = 0; i < workers; i++) {
                    cluster.workers.add(cluster.launch("worker-" + i, "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
                            "--webui-port", "0", "--cores", "1", "--memory", "1g", "--work-dir", dir.resolve("work-" + i).toString(),
                            cluster.masterUrl()));
                }
                for (int i = 0; i < workers; i++) {
                    cluster.awaitLine("worker-" + i, cluster.workers.get(i), "Successfully registered with master");
                }
                return cluster;
            } catch (IOException | RuntimeException e) {
                cluster.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String masterUrl() {
        return "spark://127.0.0.1:" + port;
    }

    /** A session of an application on this cluster with an executor of one core on each Worker, once they have all started. */
    SparkSession session(String name) {
        SparkSession spark = SparkSession.builder()
                .master(masterUrl())
                .appName(name)
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.ui.enabled", "false")
                .config("spark.cores.max", String.valueOf(workers.size()))
                .config("spark.executor.cores", "1")
                .config("spark.executor.memory", "512m")
                .config("spark.executor.extraClassPath", classPath)
                .config("spark.executor.extraJavaOptions", String.join(" ", jvmFlags))
                .getOrCreate();
        long deadline = System.nanoTime() + START_LIMIT.toNanos();
        // the driver counts among the block managers
        while (spark.sparkContext().getExecutorMemoryStatus().size() < workers.size() + 1) {
            if (System.nanoTime() > deadline) {
                spark.stop();
                throw new IllegalStateException("the executors did not start within " + START_LIMIT + "; see the logs in " + dir);
            }
            sleep(100);
        }
        return spark;
    }

    /** Ends Worker {@code index} and the executors it started at once (kill -9), as when its machine is lost. */
    void killWorker(int index) {
        Process worker = workers.get(index);
        worker.descendants().forEach(ProcessHandle::destroyForcibly);
        worker.destroyForcibly();
    }

    private Process launch(String name, String mainClass, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmFlags);
        command.addAll(List.of("-Xmx256m", "-cp", classPath, mainClass));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log(name).toFile());
        Map<String, String> env = builder.environment();
        env.put("SPARK_LOCAL_IP", "127.0.0.1");
        env.put("SPARK_HOME", dir.resolve("spark-home").toString());
        env.put("SPARK_SCALA_VERSION", "2.13");
        env.put("JAVA_HOME", System.getProperty("java.home"));
        return builder.start();
    }

    private Path log(String name) {
        return dir.resolve(name + ".log");
    }

    /** Waits until the process's log has a line containing {@code marker}; fails when it ends or takes too long. */
    private void awaitLine(String name, Process process, String marker) throws IOException {
        long deadline = System.nanoTime() + START_LIMIT.toNanos();
        while (!Files.readString(log(name)).contains(marker)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException(name + " did not start (no \"" + marker + "\" in its log):\n" + Files.readString(log(name)));
            }
            sleep(100);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Ends every process the cluster started, executors first. */
    @Override
    public void close() {
        List<Process> all = new ArrayList<>(workers);
        all.add(master);
        for (Process p : all) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }
}
