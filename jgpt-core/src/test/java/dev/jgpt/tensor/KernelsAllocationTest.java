package dev.jgpt.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jgpt.FreshJvm;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Once compiled, {@link Kernels#linear} allocates nothing per call: measured in a fresh JVM ({@link dev.jgpt.FreshJvm} says why).
 * Compiled as the JVM compiles by default (tiered): without tiered compilation, C2 refuses to inline
 * a small vector helper that it compiled on its own first (the limit drops from 2500 to 1000 bytes of
 * code) and boxes the vectors passed to it, in a configuration nobody runs.
 */
class KernelsAllocationTest {

    @Test
    void linearAllocatesNothingOnceWarm() throws Exception {
        assertThat(FreshJvm.lastLine(List.of(), KernelsAllocation.class)).as("bytes allocated by warm linear calls of every dtype and layout").isEqualTo("0");
    }
}
