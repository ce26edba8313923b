package dev.jgpt.format;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jgpt.tensor.DType;
import dev.jgpt.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** Writes safetensors files atomically, each tensor filled in place in a mapping of the new file. */
public final class SafeTensorsWriter {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One tensor to write: {@code fill} receives the tensor's bytes (little endian) to fill in. */
    public record Entry(String name, DType dtype, long[] shape, Consumer<MemorySegment> fill) {
        public long byteSize() {
            long n = 1;
            for (long d : shape) {
                n = Math.multiplyExact(n, d);
            }
            return dtype.byteSize(n);
        }

        /** An entry holding the values of {@code source}, converted to {@code dtype}. */
        public static Entry of(Tensor source, DType dtype) {
            return new Entry(source.name(), dtype, source.shape(), segment -> {
                if (source.dtype() == dtype) {
                    MemorySegment.copy(source.data(), 0, segment, 0, segment.byteSize());
                    return;
                }
                for (long i = 0, n = source.elementCount(); i < n; i++) {
                    dtype.write(segment, i, source.dtype().read(source.data(), i));
                }
            });
        }

        /** An entry holding {@code values}, stored as {@code dtype}. */
        public static Entry of(String name, DType dtype, long[] shape, float[] values) {
            return new Entry(name, dtype, shape, segment -> {
                for (int i = 0; i < values.length; i++) {
                    dtype.write(segment, i, values[i]);
                }
            });
        }
    }

    private SafeTensorsWriter() {}

    public static void write(Path file, List<Entry> entries, Map<String, String> metadata) {
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Entry e : entries) {
            ObjectNode info = header.putObject(e.name());
            info.put("dtype", e.dtype().name());
            var shape = info.putArray("shape");
            for (long d : e.shape()) {
                shape.add(d);
            }
            info.putArray("data_offsets").add(offset).add(offset + e.byteSize());
            offset += e.byteSize();
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        // pad the header with spaces so the tensor data starts 8-byte aligned
        int padded = (json.length + 7) / 8 * 8;
        long dataStart = 8L + padded;
        long total = dataStart + offset;
        AtomicFiles.writeMapped(file, total, out -> {
            out.set(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, padded);
            MemorySegment.copy(json, 0, out, ValueLayout.JAVA_BYTE, 8, json.length);
            out.asSlice(8 + json.length, padded - json.length).fill((byte) ' ');
            long at = dataStart;
            for (Entry e : entries) {
                e.fill().accept(out.asSlice(at, e.byteSize()));
                at += e.byteSize();
            }
        });
    }
}
