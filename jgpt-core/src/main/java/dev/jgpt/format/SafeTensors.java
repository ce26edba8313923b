package dev.jgpt.format;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jgpt.Quoted;
import dev.jgpt.tensor.DType;
import dev.jgpt.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A memory-mapped safetensors file: an 8-byte little-endian header length, a JSON header
 * {@code {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}}, then the
 * tensor bytes, offsets counted from the end of the header. Every claim the header makes is
 * checked against the file before a tensor is handed out.
 */
public final class SafeTensors extends MappedTensors {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_HEADER = 100L << 20;

    private final Map<String, String> metadata;

    private SafeTensors(MappedFile mapping, Map<String, Tensor> tensors, Map<String, String> metadata) {
        super(mapping, tensors);
        this.metadata = metadata;
    }

    /** Maps {@code file} read-only and validates its header. */
    public static SafeTensors open(Path file) {
        return MappedFile.read(file, (mapping, all) -> {
            long size = all.byteSize();
            if (size < 8) {
                throw new FormatException(file, "truncated: " + size + " bytes, a safetensors file starts with an 8-byte header length");
            }
            long headerLength = all.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
            if (headerLength <= 0 || headerLength > MAX_HEADER || 8 + headerLength > size) {
                throw new FormatException(file, "header length " + headerLength + " does not fit a file of " + size
                        + " bytes (truncated, or not a safetensors file)");
            }
            String header = new String(all.asSlice(8, headerLength).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
            return parse(file, mapping, header, all.asSlice(8 + headerLength));
        });
    }

    private static SafeTensors parse(Path file, MappedFile mapping, String header, MemorySegment body) {
        JsonNode root;
        try {
            root = JSON.readTree(header);
        } catch (JacksonException e) {
            throw new FormatException(file, "header is not valid JSON: " + Quoted.of(e.getOriginalMessage()));
        }
        if (root == null || !root.isObject()) {
            throw new FormatException(file, "header is not a JSON object");
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : root.properties()) {
            String name = entry.getKey();
            JsonNode info = entry.getValue();
            if (name.equals("__metadata__")) {
                info.properties().forEach(m -> metadata.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            tensors.put(name, tensor(file, name, info, body));
        }
        return new SafeTensors(mapping, Collections.unmodifiableMap(tensors), Collections.unmodifiableMap(metadata));
    }

    private static Tensor tensor(Path file, String name, JsonNode info, MemorySegment body) {
        String where = "tensor " + Quoted.of(name) + ": ";
        String dtypeName = info.path("dtype").asText("");
        DType dtype = DType.fromSafeTensorsName(dtypeName);
        if (dtype == null) {
            throw new FormatException(file, where + "unsupported dtype " + Quoted.of(dtypeName) + " (supported: F32, F16, BF16)");
        }
        JsonNode shapeNode = info.path("shape");
        JsonNode offsets = info.path("data_offsets");
        if (!shapeNode.isArray() || !offsets.isArray() || offsets.size() != 2) {
            throw new FormatException(file, where + "needs 'shape' and 'data_offsets' [begin, end]");
        }
        long[] shape = new long[shapeNode.size()];
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.canConvertToLong() || d.asLong() < 0) {
                throw new FormatException(file, where + "bad dimension " + Quoted.of(String.valueOf(d)) + " in shape "
                        + Quoted.of(shapeNode.toString()));
            }
            shape[i] = d.asLong();
            elements = multiply(file, where, elements, shape[i]);
        }
        long begin = offsets.get(0).asLong(-1);
        long end = offsets.get(1).asLong(-1);
        if (begin < 0 || end < begin || end > body.byteSize()) {
            throw new FormatException(file, where + "data_offsets [" + begin + ", " + end + "] lie outside the "
                    + body.byteSize() + " bytes of tensor data (truncated file or corrupt header)");
        }
        long bytes = multiply(file, where, elements, dtype.bytes());
        if (end - begin != bytes) {
            throw new FormatException(file, where + "shape " + Quoted.of(shapeNode.toString()) + " of " + dtype + " needs "
                    + bytes + " bytes but data_offsets span " + (end - begin));
        }
        return new Tensor(name, dtype, shape, body.asSlice(begin, end - begin));
    }

    private static long multiply(Path file, String where, long a, long b) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            throw new FormatException(file, where + "shape is too large");
        }
    }

    /** The free-form string map stored under {@code __metadata__}. */
    public Map<String, String> metadata() {
        return metadata;
    }
}
