package dev.jgpt.bench;

import dev.jgpt.tensor.DType;
import dev.jgpt.tensor.Quantization;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

/** Weight bytes for benchmarks: N(0, 0.02) values (GPT-2's init) stored as any dtype. */
final class BenchWeights {
    private BenchWeights() {}

    /**
     * Fills {@code seg} with {@code rows} rows of {@code cols} values of {@code dtype} (quantized
     * types row by row, as GGUF stores [out, in] weights).
     */
    static void fill(MemorySegment seg, DType dtype, long rows, int cols, SplittableRandom rnd) {
        float[] row = new float[cols];
        long rowBytes = dtype.byteSize(cols);
        for (long r = 0; r < rows; r++) {
            for (int i = 0; i < cols; i++) {
                row[i] = (float) (rnd.nextGaussian() * 0.02);
            }
            if (dtype.isQuantized()) {
                Quantization.quantizeRow(dtype, row, 0, cols, seg, r * rowBytes);
            } else {
                MemorySegment out = seg.asSlice(r * rowBytes, rowBytes);
                for (int i = 0; i < cols; i++) {
                    dtype.write(out, i, row[i]);
                }
            }
        }
    }

    /** Weights of an {@code in × out} matrix in {@code layout} ("IN_OUT": rows of out values). */
    static void fill(MemorySegment seg, DType dtype, int in, int out, String layout, SplittableRandom rnd) {
        if (layout.equals("IN_OUT")) {
            fill(seg, dtype, in, out, rnd);
        } else {
            fill(seg, dtype, out, in, rnd);
        }
    }
}
