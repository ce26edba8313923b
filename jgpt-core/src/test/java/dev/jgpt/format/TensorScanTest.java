package dev.jgpt.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jgpt.TinyModels;
import dev.jgpt.convert.GgufModelWriter;
import dev.jgpt.convert.RandomModel;
import dev.jgpt.model.Architecture;
import dev.jgpt.model.ModelConfig;
import dev.jgpt.model.Rope;
import dev.jgpt.model.load.ModelFiles;
import dev.jgpt.tensor.DType;
import dev.jgpt.tensor.Tensor;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The scan for NaN and infinite weights: every dtype, the first bad element named, clean files pass. */
class TensorScanTest {
    private static final String TENSOR = "h.1.mlp.c_fc.weight"; // [16, 64]

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F16", "BF16"})
    void aNonFiniteValueIsNamedWithItsTensorAndIndex(DType dtype) {
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            Path model = TinyModels.gpt2Folder(dir.resolve(dtype + "-" + bad), dtype);
            Path weights = model.resolve(ModelFiles.WEIGHTS);
            rewrite(weights, dtype, 3 * 64 + 5, bad);
            try (SafeTensors source = SafeTensors.open(weights)) {
                assertThatThrownBy(() -> TensorScan.checkFinite(source, (done, total) -> { }))
                        .isInstanceOf(FormatException.class)
                        .hasMessage(weights + ": tensor '" + TENSOR + "' (" + dtype + ", shape [16, 64]) holds " + bad
                                + " at element 197 [3, 5]");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"Q8_0", "Q4_0", "Q5_1", "Q4_K", "Q6_K"})
    void aQuantizedBlockWithANonFiniteScaleIsNamed(DType dtype) {
        // rows of 256 values: whole blocks of every type, K-quants included
        ModelConfig config = new ModelConfig(Architecture.llama(Rope.of(Rope.Style.NORM, 64, 10000)), 1, 4, 2, 256, 256, 32,
                TinyModels.VOCAB, 1e-5f, false);
        GgufModelWriter.Contents contents = RandomModel.gguf(config, dtype, 1);
        String name = "blk.0.ffn_down.weight"; // [256, 256]
        int block = 3;
        List<SafeTensorsWriter.Entry> tensors = contents.tensors();
        for (int i = 0; i < tensors.size(); i++) {
            SafeTensorsWriter.Entry e = tensors.get(i);
            if (e.name().equals(name)) {
                assertThat(e.dtype()).isEqualTo(dtype);
                tensors.set(i, new SafeTensorsWriter.Entry(name, dtype, e.shape(), segment -> {
                    e.fill().accept(segment);
                    long scale = (long) block * dtype.blockBytes() + scaleOffset(dtype);
                    segment.set(ValueLayout.JAVA_SHORT_UNALIGNED, scale, Float.floatToFloat16(Float.POSITIVE_INFINITY));
                }));
            }
        }
        Path file = dir.resolve(dtype + ".gguf");
        contents.write(file);
        try (Gguf gguf = Gguf.open(file)) {
            long first = (long) block * dtype.blockSize();
            assertThatThrownBy(() -> TensorScan.checkFinite(gguf, (done, total) -> { }))
                    .isInstanceOf(FormatException.class)
                    .hasMessageContaining("tensor '" + name + "' (" + dtype + ", shape [256, 256]) holds ")
                    .hasMessageContaining(" at element " + first + " [" + first / 256 + ", " + first % 256 + "]");
        }
    }

    @Test
    void cleanFilesPassAndEveryTensorIsCounted() {
        Path model = TinyModels.gpt2Folder(dir.resolve("clean"), DType.BF16);
        Path gguf = TinyModels.llamaGguf(dir.resolve("clean.gguf"), DType.Q4_K);
        for (TensorSource source : List.<TensorSource>of(SafeTensors.open(model.resolve(ModelFiles.WEIGHTS)), Gguf.open(gguf))) {
            try (source) {
                List<int[]> reports = new ArrayList<>();
                TensorScan.checkFinite(source, (done, total) -> reports.add(new int[] {done, total}));
                int n = source.names().size();
                assertThat(reports).hasSize(n);
                assertThat(reports.getLast()).containsExactly(n, n);
            }
        }
    }

    /** Where a block of {@code type} keeps its f16 scale d (GGML's layouts, see {@link DType}). */
    private static long scaleOffset(DType type) {
        return type == DType.Q6_K ? 208 : 0;
    }

    /** Rewrites {@code weights} as {@code dtype} with element {@code index} of {@link #TENSOR} set to {@code value}. */
    private static void rewrite(Path weights, DType dtype, int index, float value) {
        List<SafeTensorsWriter.Entry> entries = new ArrayList<>();
        try (SafeTensors source = SafeTensors.open(weights)) {
            for (String name : source.names()) {
                Tensor t = source.require(name);
                float[] values = t.toFloatArray();
                if (name.equals(TENSOR)) {
                    values[index] = value;
                }
                entries.add(SafeTensorsWriter.Entry.of(name, dtype, t.shape(), values));
            }
        }
        SafeTensorsWriter.write(weights, entries, Map.of());
    }
}
