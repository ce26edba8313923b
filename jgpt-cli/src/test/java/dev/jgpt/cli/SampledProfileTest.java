package dev.jgpt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jgpt.cli.SampledProfile.Frame;
import java.util.List;
import org.junit.jupiter.api.Test;

class SampledProfileTest {
    @Test
    void aSampleInAnInlinedHelperCountsForTheKernelThatCalledIt() {
        List<Frame> stack = List.of(
                new Frame("dev.jgpt.tensor.Quantization", "f16"),
                new Frame("dev.jgpt.tensor.QuantKernels", "dotQ4K"),
                new Frame("dev.jgpt.tensor.QuantKernels", "matvec"),
                new Frame("dev.jgpt.tensor.Kernels$Linear", "run"));

        assertThat(SampledProfile.innermostJgptMethod(stack)).isEqualTo("QuantKernels.dotQ4K");
    }

    @Test
    void framesOutsideJgptAreSkippedUpToTheInnermostJgptMethod() {
        List<Frame> stack = List.of(
                new Frame("jdk.internal.misc.Unsafe", "park"),
                new Frame("dev.jgpt.tensor.Parallel$Pool", "await"));

        assertThat(SampledProfile.innermostJgptMethod(stack)).isEqualTo("Parallel.await");
        assertThat(SampledProfile.innermostJgptMethod(List.of(new Frame("java.lang.Thread", "run"))))
                .isEqualTo("(outside jgpt) java.lang.Thread");
    }
}
