package dev.jgpt.format;

import dev.jgpt.format.SafeTensorsWriter.Entry;
import dev.jgpt.tensor.DType;
import dev.jgpt.tensor.Parallel;
import dev.jgpt.tensor.Quantization;
import dev.jgpt.tensor.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * Rewrites a tensor in another dtype, row by row: each row is decoded to floats (any dtype,
 * quantized included) and encoded again ({@link Quantization#quantizeRow}), rows split across
 * the thread pool. A source can be read transposed, for Hugging Face's {@code [in, out]}
 * matrices that GGUF stores {@code [out, in]}. Rows made on the spot ({@link Rows}, a fresh
 * model's random values) are written the same way.
 */
public final class TensorConversion {
    /** Values handled at once per thread (rows × columns). */
    private static final int BLOCK_VALUES = 1 << 16;

    /**
     * The values of {@code tensor}, or of its transpose (a 2-D tensor of a plain dtype). The
     * result has rows of {@link #columns()} values: the last dimension of its {@link #shape()}.
     */
    public record Source(Tensor tensor, boolean transposed) {
        public Source {
            if (transposed && (tensor.rank() != 2 || tensor.dtype().isQuantized())) {
                throw new IllegalArgumentException("only a plain 2-D tensor reads transposed, not " + tensor.name()
                        + " " + Tensor.shapeString(tensor.shape()) + " " + tensor.dtype());
            }
        }

        public static Source of(Tensor tensor) {
            return new Source(tensor, false);
        }

        /** The shape of the values this source gives. */
        public long[] shape() {
            long[] s = tensor.shape();
            return transposed ? new long[] {s[1], s[0]} : s;
        }

        public int columns() {
            long[] s = shape();
            return s.length == 0 ? 1 : Math.toIntExact(s[s.length - 1]);
        }

        public long rows() {
            return columns() == 0 ? 0 : tensor.elementCount() / columns();
        }

        /** {@code dst[0, count·columns) =} rows {@code [first, first + count)}. */
        void read(long first, int count, float[] dst) {
            int cols = columns();
            if (!transposed) {
                tensor.dtype().decode(tensor.data(), first * cols, dst, 0, count * cols);
                return;
            }
            // result row r is column r of the [in, out] source: read `count` adjacent columns of each source row
            long outs = tensor.shape()[1];
            float[] column = new float[count];
            for (int i = 0; i < cols; i++) {
                tensor.dtype().decode(tensor.data(), i * outs + first, column, 0, count);
                for (int j = 0; j < count; j++) {
                    dst[j * cols + i] = column[j];
                }
            }
        }
    }

    /** Rows of float values made on demand: {@code dst[0, count·columns) =} rows {@code [first, first + count)}. */
    @FunctionalInterface
    public interface Rows {
        void read(long first, int count, float[] dst);
    }

    private TensorConversion() {}

    /** An entry that writes {@code source} as {@code type} under {@code name}. */
    public static Entry entry(String name, Source source, DType type) {
        return new Entry(name, type, source.shape(), segment -> convert(source, type, segment));
    }

    /**
     * Writes the values of {@code source} as {@code type} into {@code dst} ({@code
     * type.byteSize(elements)} bytes); the row length must be a whole number of blocks of it.
     */
    public static void convert(Source source, DType type, MemorySegment dst) {
        if (!source.transposed() && source.tensor().dtype() == type) {
            MemorySegment.copy(source.tensor().data(), 0, dst, 0, dst.byteSize());
            return;
        }
        write(source::read, source.rows(), source.columns(), type, dst);
    }

    /**
     * Writes {@code rowCount} rows of {@code columns} values, made by {@code rows}, as {@code type}
     * into {@code dst} ({@code type.byteSize(rowCount·columns)} bytes), blocks of rows split
     * across the thread pool; {@code columns} must be a whole number of blocks of {@code type}.
     */
    public static void write(Rows rows, long rowCount, int columns, DType type, MemorySegment dst) {
        long rowBytes = type.byteSize(columns);
        int perBlock = (int) Math.max(1, Math.min(rowCount, BLOCK_VALUES / Math.max(1, columns)));
        int blocks = Math.toIntExact((rowCount + perBlock - 1) / perBlock);
        Parallel.forRange(blocks, (b0, b1) -> {
            float[] values = new float[perBlock * columns];
            for (int b = b0; b < b1; b++) {
                long first = (long) b * perBlock;
                int count = (int) Math.min(perBlock, rowCount - first);
                rows.read(first, count, values);
                for (int j = 0; j < count; j++) {
                    Quantization.quantizeRow(type, values, j * columns, columns, dst, (first + j) * rowBytes);
                }
            }
        });
    }
}
