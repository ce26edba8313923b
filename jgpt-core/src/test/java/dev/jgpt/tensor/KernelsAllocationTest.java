package dev.jgpt.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jgpt.FreshJvm;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Once compiled, {@link Kernels#linear} allocates nothing per call: measured in a fresh JVM ({@link dev.jgpt.FreshJvm} says why). */
class KernelsAllocationTest {

    @Test
    void linearAllocatesNothingOnceWarm() throws Exception {
        assertThat(FreshJvm.lastLine(List.of("-XX:-TieredCompilation"), KernelsAllocation.class)).as("bytes allocated by warm linear calls of every dtype and layout").isEqualTo("0");
    }
}
