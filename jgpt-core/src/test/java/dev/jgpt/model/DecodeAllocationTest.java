package dev.jgpt.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Once compiled, a decode step allocates nothing. Measured in a fresh JVM without tiered
 * compilation: inside the test JVM, whatever ran before decides how C2 compiles the shared
 * Vector API call sites (a vector loop compiled from an incomplete type profile runs boxed,
 * allocating on every call), which would make this test depend on the others.
 */
class DecodeAllocationTest {

    @Test
    void warmDecodeStepsAllocateNothing() throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(List.of(java.toString(), "--add-modules", "jdk.incubator.vector",
                "-XX:-TieredCompilation", "-cp", System.getProperty("java.class.path"), DecodeAllocation.class.getName()))
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).as(output).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        String[] lines = output.strip().split("\\R");
        assertThat(lines[lines.length - 1]).as("bytes allocated by 50 warm decode steps (output: %s)", output).isEqualTo("0");
    }
}
