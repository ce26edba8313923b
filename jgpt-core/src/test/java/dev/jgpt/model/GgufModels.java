package dev.jgpt.model;

import dev.jgpt.format.GgufType;
import dev.jgpt.format.GgufValue;
import dev.jgpt.format.GgufWriter;
import dev.jgpt.format.SafeTensorsWriter.Entry;
import dev.jgpt.tensor.DType;
import dev.jgpt.tensor.Quantization;
import dev.jgpt.tensor.Tensor;
import dev.jgpt.tensor.WeightMatrix;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Test files: any {@link ModelWeights} written as a GGUF file the way llama.cpp's converters
 * name and lay it out ([out, in] matrices), with hooks to break the metadata or the tensors.
 */
final class GgufModels {
    private GgufModels() {}

    /** The file's metadata and tensors before they are written, open to edits. */
    record Contents(Map<String, GgufValue> metadata, List<Entry> tensors) {
        void remove(String tensor) {
            tensors.removeIf(e -> e.name().equals(tensor));
        }
    }

    static void write(ModelWeights w, DType matrices, Path file) {
        write(w, matrices, file, contents -> {});
    }

    /** Writes {@code w}, its 2-D weights stored as {@code matrices}, after {@code edit}. */
    static void write(ModelWeights w, DType matrices, Path file, Consumer<Contents> edit) {
        ModelConfig c = w.config();
        Architecture a = c.architecture();
        String arch = a.name();
        Map<String, GgufValue> meta = new LinkedHashMap<>();
        meta.put("general.architecture", new GgufValue.StringValue(arch));
        meta.put(arch + ".context_length", u32(c.contextLength()));
        meta.put(arch + ".embedding_length", u32(c.embd()));
        meta.put(arch + ".feed_forward_length", u32(c.mlpHidden()));
        meta.put(arch + ".block_count", u32(c.layers()));
        meta.put(arch + ".attention.head_count", u32(c.heads()));
        meta.put(arch + ".attention.head_count_kv", u32(c.kvHeads()));
        meta.put(arch + (a.norm() == Architecture.Norm.RMS_NORM ? ".attention.layer_norm_rms_epsilon"
                : ".attention.layer_norm_epsilon"), new GgufValue.FloatValue(GgufType.FLOAT32, c.normEps()));
        List<Entry> tensors = new ArrayList<>();
        Rope rope = a.rope();
        if (rope != null) {
            meta.put(arch + ".rope.dimension_count", u32(rope.dimensions()));
            meta.put(arch + ".rope.freq_base", new GgufValue.FloatValue(GgufType.FLOAT32, rope.base()));
            if (rope.linearScale() != 1) {
                meta.put(arch + ".rope.scaling.type", new GgufValue.StringValue("linear"));
                meta.put(arch + ".rope.scaling.factor", new GgufValue.FloatValue(GgufType.FLOAT32, rope.linearScale()));
            }
            if (rope.frequencyFactors() != null) {
                tensors.add(vector("rope_freqs.weight", rope.frequencyFactors()));
            }
        }
        tensors.add(matrix("token_embd.weight", w.tokenEmbedding(), matrices));
        if (w.positionEmbedding() != null) {
            tensors.add(matrix("position_embd.weight", w.positionEmbedding(), DType.F32));
        }
        for (int l = 0; l < c.layers(); l++) {
            LayerWeights layer = w.layers().get(l);
            String p = "blk." + l + ".";
            norm(tensors, p + "attn_norm", layer.attentionNorm());
            if (layer.qkv() != null) {
                linear(tensors, p + "attn_qkv", layer.qkv(), matrices);
            } else {
                linear(tensors, p + "attn_q", layer.query(), matrices);
                linear(tensors, p + "attn_k", layer.key(), matrices);
                linear(tensors, p + "attn_v", layer.value(), matrices);
            }
            linear(tensors, p + "attn_output", layer.attentionOutput(), matrices);
            norm(tensors, p + "ffn_norm", layer.mlpNorm());
            if (layer.mlpGate() != null) {
                linear(tensors, p + "ffn_gate", layer.mlpGate(), matrices);
            }
            linear(tensors, p + "ffn_up", layer.mlpUp(), matrices);
            linear(tensors, p + "ffn_down", layer.mlpDown(), matrices);
        }
        norm(tensors, "output_norm", w.finalNorm());
        if (!c.tiedOutput()) {
            tensors.add(matrix("output.weight", w.unembedding(), matrices));
        }
        Contents contents = new Contents(meta, tensors);
        edit.accept(contents);
        GgufWriter.write(file, contents.metadata(), contents.tensors());
    }

    static GgufValue u32(long value) {
        return new GgufValue.IntValue(GgufType.UINT32, value);
    }

    private static void linear(List<Entry> tensors, String name, Linear linear, DType dtype) {
        tensors.add(matrix(name + ".weight", linear.weight(), dtype));
        if (linear.bias() != null) {
            tensors.add(vector(name + ".bias", linear.bias()));
        }
    }

    private static void norm(List<Entry> tensors, String name, NormWeights norm) {
        tensors.add(vector(name + ".weight", norm.weight()));
        if (norm.bias() != null) {
            tensors.add(vector(name + ".bias", norm.bias()));
        }
    }

    private static Entry vector(String name, float[] values) {
        return Entry.of(name, DType.F32, new long[] {values.length}, values);
    }

    /** A linear map as GGUF stores it: [out, in] row-major, whatever its layout here. */
    private static Entry matrix(String name, WeightMatrix m, DType dtype) {
        float[] values = new float[m.in() * m.out()];
        for (int o = 0; o < m.out(); o++) {
            for (int i = 0; i < m.in(); i++) {
                values[o * m.in() + i] = m.get(i, o);
            }
        }
        return rows(name, dtype, m.out(), m.in(), values);
    }

    /** A [rows, cols] table (an embedding) as it is. */
    private static Entry matrix(String name, Tensor t, DType dtype) {
        int rows = (int) t.shape()[0];
        int cols = (int) t.shape()[1];
        return rows(name, dtype, rows, cols, t.toFloatArray());
    }

    private static Entry rows(String name, DType dtype, int rows, int cols, float[] values) {
        return new Entry(name, dtype, new long[] {rows, cols}, (MemorySegment segment) -> {
            for (int r = 0; r < rows; r++) {
                Quantization.quantizeRow(dtype, values, r * cols, cols, segment, r * dtype.byteSize(cols));
            }
        });
    }
}
