package dev.jgpt.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jgpt.FreshJvm;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Once compiled, a decode step allocates nothing: measured in a fresh JVM ({@link FreshJvm} says why).
 * Compiled as the JVM compiles by default (tiered): without tiered compilation, C2 refuses to inline
 * a small vector helper that it compiled on its own first (the limit drops from 2500 to 1000 bytes of
 * code) and boxes the vectors passed to it, in a configuration nobody runs.
 */
class DecodeAllocationTest {

    @Test
    void warmDecodeStepsAllocateNothing() throws Exception {
        assertThat(FreshJvm.lastLine(List.of(), DecodeAllocation.class)).as("bytes allocated by 50 warm decode steps").isEqualTo("0");
    }

    @Test
    void warmDecodeStepsWithAnAdapterAllocateNothing() throws Exception {
        // C2 alone: under tiered compilation, decode with an adapter keeps allocating 192 bytes a step (still open)
        assertThat(FreshJvm.lastLine(List.of("-XX:-TieredCompilation"), DecodeAllocation.class, "lora"))
                .as("bytes allocated by 50 warm decode steps with a LoRA adapter on every linear map").isEqualTo("0");
    }

    @Test
    void warmDecodeStepsOfAModelWithEveryFeatureOnAllocateNothing() throws Exception {
        assertThat(FreshJvm.lastLine(List.of(), DecodeAllocation.class, "gemma2")).as("bytes allocated by 50 warm Gemma 2 decode steps")
                .isEqualTo("0");
    }
}
