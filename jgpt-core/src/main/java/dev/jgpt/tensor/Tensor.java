package dev.jgpt.tensor;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/** A named n-dimensional array of {@code dtype} values, row-major, viewed where it lies. */
public record Tensor(String name, DType dtype, long[] shape, MemorySegment data) {

    public Tensor {
        shape = shape.clone();
    }

    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    public boolean hasShape(long... expected) {
        return Arrays.equals(shape, expected);
    }

    /** The values widened to float, copied onto the heap (for small tensors: norms and biases). */
    public float[] toFloatArray() {
        long n = elementCount();
        if (n > Integer.MAX_VALUE - 16) {
            throw new IllegalStateException(name + " is too large for a float[]");
        }
        float[] out = new float[(int) n];
        dtype.decode(data, 0, out, 0, out.length);
        return out;
    }

    /** This 2-D tensor as a linear map; {@code layout} says which dimension is the input. */
    public WeightMatrix asMatrix(WeightMatrix.Layout layout) {
        if (shape.length != 2) {
            throw new IllegalStateException(name + " is not a matrix: shape " + Arrays.toString(shape));
        }
        int rows = Math.toIntExact(shape[0]);
        int cols = Math.toIntExact(shape[1]);
        return layout == WeightMatrix.Layout.IN_OUT
                ? new WeightMatrix(name, data, dtype, rows, cols, layout)
                : new WeightMatrix(name, data, dtype, cols, rows, layout);
    }

    /** Rows [first, first + count) of this 2-D tensor, viewed where they lie, named {@code viewName}. */
    public Tensor rows(String viewName, long first, long count) {
        if (shape.length != 2 || first < 0 || count <= 0 || first + count > shape[0]) {
            throw new IllegalArgumentException(name + ": rows " + first + "+" + count + " of shape " + Arrays.toString(shape));
        }
        long rowBytes = dtype.byteSize(shape[1]);
        return new Tensor(viewName, dtype, new long[] {count, shape[1]}, data.asSlice(first * rowBytes, count * rowBytes));
    }

    public static String shapeString(long[] shape) {
        return Arrays.toString(shape);
    }
}
