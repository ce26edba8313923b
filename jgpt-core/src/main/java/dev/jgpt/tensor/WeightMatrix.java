package dev.jgpt.tensor;

import java.lang.foreign.MemorySegment;

/**
 * A 2-D weight viewed where it lies (usually a memory-mapped file), used as the linear map
 * {@code y[out] = x[in] · W}.
 *
 * <p>Checkpoints store such maps in two orientations: {@link Layout#IN_OUT} ([in, out] row-major,
 * GPT-2's Conv1D) and {@link Layout#OUT_IN} ([out, in] row-major, nn.Linear, GGUF, and the tied
 * unembedding {@code wte}). Kernels handle both so no weight is ever transposed or copied.
 * Quantized weights (GGML blocks along each row) are OUT_IN only, each row whole blocks.
 */
public record WeightMatrix(String name, MemorySegment data, DType dtype, int in, int out, Layout layout) {

    public enum Layout { IN_OUT, OUT_IN }

    public WeightMatrix {
        if (dtype.isQuantized() && (layout != Layout.OUT_IN || in % dtype.blockSize() != 0)) {
            throw new IllegalArgumentException(name + ": " + dtype + " weights must be stored [out, in] (OUT_IN) with rows of whole "
                    + dtype.blockSize() + "-value blocks; got " + layout + " with in = " + in);
        }
        long expected = dtype.byteSize((long) in * out);
        if (data.byteSize() != expected) {
            throw new IllegalArgumentException(name + ": " + data.byteSize() + " bytes for "
                    + in + "×" + out + " " + dtype + " (expected " + expected + ")");
        }
    }

    /** Element (i, o) of the map as a float: the weight from input i to output o. */
    public float get(int i, int o) {
        long index = layout == Layout.IN_OUT ? (long) i * out + o : (long) o * in + i;
        return dtype.read(data, index);
    }

    /**
     * The transposed map {@code x[out] → x · Wᵀ [in]} over the same memory, nothing copied: the
     * storage read in the other orientation. Backpropagation through {@code y = x · W} uses it:
     * {@code dx = dy · Wᵀ}. Quantized matrices (blocks along each row) have no transpose.
     */
    public WeightMatrix transposed() {
        if (dtype.isQuantized()) {
            throw new UnsupportedOperationException(name + ": a " + dtype + " matrix is only read row by row, not transposed");
        }
        Layout other = layout == Layout.IN_OUT ? Layout.OUT_IN : Layout.IN_OUT;
        return new WeightMatrix(name + "ᵀ", data, dtype, out, in, other);
    }

    public long byteSize() {
        return data.byteSize();
    }

}
