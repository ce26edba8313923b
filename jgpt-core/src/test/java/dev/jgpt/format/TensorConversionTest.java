package dev.jgpt.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jgpt.format.TensorConversion.Source;
import dev.jgpt.tensor.DType;
import dev.jgpt.tensor.Quantization;
import dev.jgpt.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TensorConversionTest {
    private final Random random = new Random(11);
    private final Arena arena = Arena.ofAuto();

    private Tensor tensor(DType dtype, long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        float[] values = new float[(int) n];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        MemorySegment data = arena.allocate(dtype.byteSize(n));
        for (int row = 0; row < n / shape[shape.length - 1]; row++) {
            int cols = (int) shape[shape.length - 1];
            Quantization.quantizeRow(dtype, values, row * cols, cols, data, row * dtype.byteSize(cols));
        }
        return new Tensor("t", dtype, shape, data);
    }

    private MemorySegment convert(Source source, DType type) {
        long[] shape = source.shape();
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        MemorySegment out = arena.allocate(type.byteSize(n));
        TensorConversion.convert(source, type, out);
        return out;
    }

    @Test
    void transposedReadingTurnsInOutIntoOutIn() {
        for (DType plain : new DType[] {DType.F32, DType.F16, DType.BF16}) {
            for (int[] size : new int[][] {{5, 7}, {64, 3}, {1, 9}, {300, 260}}) {
                Tensor hf = tensor(plain, size[0], size[1]); // [in, out]
                Source source = new Source(hf, true);
                assertThat(source.shape()).containsExactly(size[1], size[0]);
                float[] out = convert(source, DType.F32).toArray(ValueLayout.JAVA_FLOAT);
                float[] in = hf.toFloatArray();
                for (int i = 0; i < size[0]; i++) {
                    for (int o = 0; o < size[1]; o++) {
                        assertThat(out[o * size[0] + i]).as("(%d, %d) of %s %dx%d", i, o, plain, size[0], size[1])
                                .isEqualTo(in[i * size[1] + o]);
                    }
                }
            }
        }
    }

    @Test
    void everyRowIsQuantizedAsOnItsOwn() {
        // many rows, so that the work is split into blocks of rows across threads
        for (DType type : new DType[] {DType.Q8_0, DType.Q4_0, DType.Q5_1, DType.Q4_K, DType.Q6_K, DType.F16}) {
            int cols = 2 * type.blockSize();
            Tensor source = tensor(DType.F32, 1001, cols);
            MemorySegment converted = convert(Source.of(source), type);
            float[] values = source.toFloatArray();
            MemorySegment expected = arena.allocate(converted.byteSize());
            for (int r = 0; r < 1001; r++) {
                Quantization.quantizeRow(type, values, r * cols, cols, expected, r * type.byteSize(cols));
            }
            assertThat(converted.mismatch(expected)).as("%s", type).isEqualTo(-1);
        }
    }

    @Test
    void quantizedSourcesAreDecodedAndSameTypesCopied() {
        Tensor q = tensor(DType.Q4_K, 7, 512);
        MemorySegment f32 = convert(Source.of(q), DType.F32);
        assertThat(f32.toArray(ValueLayout.JAVA_FLOAT)).isEqualTo(q.toFloatArray());
        MemorySegment copy = convert(Source.of(q), DType.Q4_K);
        assertThat(copy.mismatch(q.data())).isEqualTo(-1);
        assertThatThrownBy(() -> new Source(q, true)).hasMessageContaining("only a plain 2-D tensor reads transposed");
    }
}
