package dev.jgpt.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jgpt.FreshJvm;
import org.junit.jupiter.api.Test;

/** Once compiled, a decode step allocates nothing: measured in a fresh JVM ({@link FreshJvm} says why). */
class DecodeAllocationTest {

    @Test
    void warmDecodeStepsAllocateNothing() throws Exception {
        assertThat(FreshJvm.lastLine(DecodeAllocation.class)).as("bytes allocated by 50 warm decode steps").isEqualTo("0");
    }
}
