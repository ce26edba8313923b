package dev.jgpt.format;

import dev.jgpt.Quoted;
import dev.jgpt.tensor.Tensor;
import java.util.List;

/**
 * Checks every weight of a checkpoint for NaN and infinite values, as llama.cpp's
 * {@code --check-tensors} does: a corrupt file otherwise shows only as garbage text. Each tensor
 * is decoded a chunk at a time by its dtype's own decoder (a quantized block whose scale is not
 * finite decodes to values that are not), so nothing the size of a tensor is allocated.
 */
public final class TensorScan {
    /** Told how far the scan is: {@code done} of {@code total} tensors checked. */
    @FunctionalInterface
    public interface Progress {
        void update(int done, int total);
    }

    /** Values decoded at a time: a multiple of every block size. */
    private static final int CHUNK = 1 << 16;

    private TensorScan() {}

    /** Fails with a FormatException naming the first tensor that holds a NaN or an infinity, and where. */
    public static void checkFinite(TensorSource source, Progress progress) {
        List<String> names = List.copyOf(source.names());
        float[] values = new float[CHUNK];
        source.checkUnchanged();
        try {
            for (int t = 0; t < names.size(); t++) {
                check(source, source.require(names.get(t)), values);
                progress.update(t + 1, names.size());
            }
        } catch (InternalError e) {
            throw source.readFault(e);
        }
    }

    private static void check(TensorSource source, Tensor tensor, float[] values) {
        long n = tensor.elementCount();
        for (long first = 0; first < n; first += CHUNK) {
            int count = (int) Math.min(CHUNK, n - first);
            tensor.dtype().decode(tensor.data(), first, values, 0, count);
            for (int i = 0; i < count; i++) {
                if (!Float.isFinite(values[i])) {
                    throw new FormatException(source.file(), "tensor " + Quoted.of(tensor.name()) + " (" + tensor.dtype() + ", shape "
                            + Tensor.shapeString(tensor.shape()) + ") holds " + values[i] + " at element " + (first + i)
                            + " " + Tensor.shapeString(position(tensor.shape(), first + i)));
                }
            }
        }
    }

    /** The row-major index {@code flat} as one index per dimension. */
    private static long[] position(long[] shape, long flat) {
        long[] at = new long[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            at[d] = flat % shape[d];
            flat /= shape[d];
        }
        return at;
    }
}
