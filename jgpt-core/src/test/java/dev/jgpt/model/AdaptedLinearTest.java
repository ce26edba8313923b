package dev.jgpt.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.jgpt.tensor.DType;
import dev.jgpt.tensor.LowRank;
import dev.jgpt.tensor.Quantization;
import dev.jgpt.tensor.WeightMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A linear map with an adapter against x·W + b + scale·(x·Aᵀ)·Bᵀ in float64, W dequantized element by element. */
class AdaptedLinearTest {

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F16", "Q8_0", "Q4_0", "Q4_K"})
    void anAdaptedMapAddsTheLowRankTerm(DType type) {
        Random random = new Random(3);
        int in = 256;
        int out = 40;
        int rank = 6;
        float scale = 1.25f;
        WeightMatrix w = matrix(type, in, out, random);
        float[] bias = gaussian(out, random);
        float[] a = gaussian(rank * in, random);
        float[] b = gaussian(out * rank, random);
        Linear linear = new Linear(w, bias).adapted(LowRank.of(in, out, rank, a, b, scale));
        for (int m : new int[] {1, 3, 17}) { // decode, a few rows, prefill (the GEMM)
            float[] x = gaussian(m * in, random);
            float[] y = new float[m * out];
            linear.apply(x, m, y);
            for (int row = 0; row < m; row++) {
                for (int o = 0; o < out; o++) {
                    double want = bias[o];
                    for (int i = 0; i < in; i++) {
                        want += (double) x[row * in + i] * w.get(i, o);
                    }
                    for (int r = 0; r < rank; r++) {
                        double t = 0;
                        for (int i = 0; i < in; i++) {
                            t += (double) x[row * in + i] * a[r * in + i];
                        }
                        want += scale * t * b[o * rank + r];
                    }
                    assertThat((double) y[row * out + o]).as("%s, m = %d, y[%d, %d]", type, m, row, o)
                            .isCloseTo(want, within(2e-3 * (1 + Math.abs(want))));
                }
            }
        }
    }

    /** A [out, in] matrix of {@code type}, quantized from random values row by row. */
    private static WeightMatrix matrix(DType type, int in, int out, Random random) {
        MemorySegment data = Arena.ofAuto().allocate(type.byteSize((long) in * out), 64);
        long rowBytes = type.byteSize(in);
        for (int o = 0; o < out; o++) {
            Quantization.quantizeRow(type, gaussian(in, random), 0, in, data, o * rowBytes);
        }
        return new WeightMatrix("blk.0.attn_q.weight", data, type, in, out, WeightMatrix.Layout.OUT_IN);
    }

    private static float[] gaussian(int n, Random random) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (random.nextGaussian() * 0.1);
        }
        return v;
    }
}
