package dev.jgpt.train;

import dev.jgpt.model.ModelConfig;
import dev.jgpt.tensor.Kernels;
import dev.jgpt.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Token plus position embedding: {@code x[b, t] = wte[tokens[b, t]] + wpe[t]}. */
final class Embedding {
    private Embedding() {}

    /**
     * tokens: [batch × seq]; wte [vocab × E], wpe [context × E] (F32); x: [batch·seq × E];
     * {@code row} is scratch of at least E floats.
     */
    static void forward(int[] tokens, int batch, int seq, ModelConfig config, Tensor wte, Tensor wpe, float[] x, float[] row) {
        int e = config.embd();
        for (int r = 0; r < batch * seq; r++) {
            int token = tokens[r];
            config.checkToken(token);
            copyRow(wte.data(), token, e, x, r * e);
            copyRow(wpe.data(), r % seq, e, row, 0);
            Kernels.axpy(1f, row, 0, x, r * e, e);
        }
    }

    /** dx: [batch·seq × E]; {@code dwte[tokens[r]] += dx[r]}, {@code dwpe[r mod seq] += dx[r]} in grads. */
    static void backward(int[] tokens, int batch, int seq, int e, float[] dx, float[] grads, int dwte, int dwpe) {
        for (int r = 0; r < batch * seq; r++) {
            Kernels.axpy(1f, dx, r * e, grads, dwte + tokens[r] * e, e);
            Kernels.axpy(1f, dx, r * e, grads, dwpe + (r % seq) * e, e);
        }
    }

    private static void copyRow(MemorySegment table, int index, int e, float[] to, int at) {
        MemorySegment.copy(table, ValueLayout.JAVA_FLOAT_UNALIGNED, (long) index * e * Float.BYTES, to, at, e);
    }
}
