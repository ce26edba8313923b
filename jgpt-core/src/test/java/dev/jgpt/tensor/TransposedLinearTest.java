package dev.jgpt.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** dx = dy·Wᵀ through weights of every kind, quantized ones included, against its scalar twin. */
class TransposedLinearTest {

    @ParameterizedTest
    @CsvSource({"Q8_0,96,5,3", "Q8_0,2048,3,2", "Q4_0,64,7,1", "Q4_K,512,3,4", "Q6_K,256,9,2", "Q2_K,256,2,3", "IQ4_NL,96,5,3", "IQ4_XS,512,3,2",
        "F16,40,6,3", "F32,33,5,2"})
    void matchesTheScalarTwin(DType dtype, int in, int out, int m) {
        Random random = new Random(in * 31L + out);
        try (Arena arena = Arena.ofShared()) { // the pool's threads read the weights when the work is split
            WeightMatrix w = KernelsTest.randomWeights(arena, random, dtype, in, out, WeightMatrix.Layout.OUT_IN);
            float[] dy = new float[m * out];
            for (int i = 0; i < dy.length; i++) {
                dy[i] = random.nextFloat() * 2 - 1;
            }
            float[] dx = new float[m * in];
            Arrays.fill(dx, Float.NaN); // every element is written
            TransposedLinear.apply(dy, m, w, dx);
            double[] want = ScalarKernels.linearTransposed(dy, m, w);
            for (int i = 0; i < dx.length; i++) {
                assertThat((double) dx[i]).as("%s dx[%d]", dtype, i).isCloseTo(want[i], within(1e-5 * (1 + Math.abs(want[i]))));
            }
        }
    }
}
