package dev.jgpt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Training as separate processes see it: the same numbers whatever the JIT did, and a kill -9 at any moment costs nothing. */
class TrainingProcessTest {
    private static final int STEPS = 40;

    @TempDir
    Path dir;

    private String[] train(Path data, Path out, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("train", "--data", data.toString(), "--out", out.toString(),
                "--layers", "1", "--heads", "2", "--embd", "32", "--ctx", "32", "--batch", "4", "--steps", String.valueOf(STEPS),
                "--warmup", "5", "--eval-every", "10", "--eval-batches", "2", "--sample-every", "0", "--threads", "2", "--json"));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    /** Continues the run in {@code out}: its settings come from the checkpoint. */
    private static String[] resume(Path data, Path out) {
        return new String[] {"train", "--data", data.toString(), "--out", out.toString(), "--resume", "--threads", "2", "--json"};
    }

    /** The lines of a --json run without their timing (tokens_per_s), which alone may differ. */
    private static List<String> numbers(String output) {
        return output.lines().filter(l -> l.startsWith("{"))
                .map(l -> l.replaceAll("\"tokens_per_s\":[^,}]*,?", "")).toList();
    }

    /**
     * Compiled and interpreted kernels must round alike: a run whose kernels never leave C1 (the
     * Vector API then falls back to plain Java) and a run that reaches C2 give the same bits.
     */
    @Test
    void theSameSeedGivesBitIdenticalLossesWhateverTheJitCompiled() throws Exception {
        Path data = TrainingText.write(dir);
        ChildJvm c1 = ChildJvm.start(dir.resolve("c1.log"), List.of("-XX:TieredStopAtLevel=1"), train(data, dir.resolve("c1")));
        assertThat(c1.await(180)).as(c1.text()).isZero();
        ChildJvm c2 = ChildJvm.start(dir.resolve("c2.log"), List.of(), train(data, dir.resolve("c2")));
        assertThat(c2.await(180)).as(c2.text()).isZero();
        List<String> first = numbers(c1.text());
        assertThat(first).hasSizeGreaterThan(STEPS);
        assertThat(numbers(c2.text())).containsExactlyElementsOf(first);
    }

    /**
     * A run killed with SIGKILL while it writes a checkpoint resumes from the last whole one and
     * goes on exactly as the run that was never killed.
     */
    @Test
    void aRunKilledDuringACheckpointWriteResumesAsIfNeverStopped() throws Exception {
        Path data = TrainingText.write(dir);
        ChildJvm whole = ChildJvm.start(dir.resolve("whole.log"), List.of(), train(data, dir.resolve("whole"), "--checkpoint-every", "1"));
        assertThat(whole.await(180)).as(whole.text()).isZero();
        List<String> expected = numbers(whole.text());

        Path out = dir.resolve("killed");
        boolean killedMidWrite = false;
        for (int attempt = 0; attempt < 20 && !killedMidWrite; attempt++) {
            String[] args = attempt == 0 ? train(data, out, "--checkpoint-every", "1") : resume(data, out);
            ChildJvm run = ChildJvm.start(dir.resolve("killed-" + attempt + ".log"), List.of(), args);
            killedMidWrite = killDuringCheckpointWrite(run, out);
            if (!killedMidWrite && run.process().exitValue() == 0) {
                break; // the run ended before a kill landed inside a write
            }
        }
        assertThat(killedMidWrite).as("a kill landed while a checkpoint was being written").isTrue();

        ChildJvm resumed = ChildJvm.start(dir.resolve("resumed.log"), List.of(), resume(data, out));
        assertThat(resumed.await(180)).as(resumed.text()).isZero();
        List<String> after = numbers(resumed.text());
        assertThat(after).isNotEmpty();
        assertThat(expected).endsWith(after.toArray(String[]::new));
    }

    /**
     * Kills {@code run} as soon as a checkpoint write is seen in progress while an earlier whole
     * checkpoint exists; whether the write was still unfinished when it died.
     */
    private static boolean killDuringCheckpointWrite(ChildJvm run, Path out) throws InterruptedException {
        Path writing = out.resolve("checkpoint.tmp");
        Path whole = out.resolve("checkpoint");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (run.process().isAlive() && System.nanoTime() < deadline) {
            if (Files.exists(writing) && Files.exists(whole)) {
                run.process().destroyForcibly(); // SIGKILL
                run.process().waitFor();
                return Files.exists(writing) || Files.exists(out.resolve("checkpoint.old"));
            }
            Thread.onSpinWait();
        }
        run.await(10);
        return false;
    }
}
