package dev.jgpt.format;

import dev.jgpt.Quoted;
import dev.jgpt.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A memory-mapped GGUF file (versions 2 and 3, little-endian):
 * <pre>
 * "GGUF" · version u32 · tensor count u64 · key-value count u64
 * key-values: key string · value type u32 · value           (string = u64 length + UTF-8)
 * tensor infos: name string · n_dims u32 · ne[n_dims] u64 · ggml type u32 · offset u64
 * padding to general.alignment (default 32) · tensor data, each at its offset from here
 * </pre>
 * GGML counts dimensions innermost first (ne0 = row length), so a tensor with
 * {@code ne = [in, out]} is handed out row-major as shape {@code [out, in]}. Every count,
 * length and offset is checked against the file before it is used; tensors are views on the
 * mapping, valid until {@link #close()}. The metadata is copied out and outlives the mapping.
 */
public final class Gguf extends MappedTensors {
    public static final int DEFAULT_ALIGNMENT = 32;
    /** "GGUF" read as a little-endian u32. */
    static final int MAGIC = 0x46554747;
    private static final int MAX_DIMS = 4;
    /** The smallest tensor info: empty name, one dimension, type and offset. */
    private static final int MIN_TENSOR_INFO = 8 + 4 + 8 + 4 + 8;
    /** The smallest key-value: empty key, type and a one-byte value. */
    private static final int MIN_KEY_VALUE = 8 + 4 + 1;

    private final int version;
    private final GgufMetadata metadata;
    private final int alignment;
    private final long dataOffset;

    private Gguf(MappedFile mapping, int version, GgufMetadata metadata, int alignment, long dataOffset,
                 Map<String, Tensor> tensors) {
        super(mapping, tensors);
        this.version = version;
        this.metadata = metadata;
        this.alignment = alignment;
        this.dataOffset = dataOffset;
    }

    /** Maps {@code file} read-only and validates its header, metadata and tensor infos. */
    public static Gguf open(Path file) {
        return MappedFile.read(file, (mapping, all) -> parse(file, mapping, all));
    }

    /** A tensor as its info describes it: dimensions innermost first, offset from the data start. */
    private record Info(String name, long[] ne, GgmlType type, long offset, long bytes) {}

    private static Gguf parse(Path file, MappedFile mapping, MemorySegment all) {
        GgufCursor in = new GgufCursor(file, all, 0);
        int magic = in.u32("magic");
        if (magic != MAGIC) {
            throw in.error("not a GGUF file: starts with bytes " + HexFormat.ofDelimiter(" ").formatHex(all.asSlice(0, 4)
                    .toArray(ValueLayout.JAVA_BYTE)) + ", expected \"GGUF\"");
        }
        int version = in.u32("version");
        checkVersion(in, version);
        long tensorCount = in.u64("tensor count");
        long keyValueCount = in.u64("metadata key-value count");
        in.checkCount(keyValueCount, MIN_KEY_VALUE, "metadata key-value count");
        Map<String, GgufValue> values = new LinkedHashMap<>();
        for (long i = 0; i < keyValueCount; i++) {
            String key = in.string("metadata key " + i);
            GgufValue value = in.typedValue("metadata key " + Quoted.of(key));
            if (values.putIfAbsent(key, value) != null) {
                throw in.error("duplicate metadata key " + Quoted.of(key));
            }
        }
        GgufMetadata metadata = new GgufMetadata(file, values);
        int alignment = alignment(in, metadata);

        in.checkCount(tensorCount, MIN_TENSOR_INFO, "tensor count");
        List<Info> infos = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (long i = 0; i < tensorCount; i++) {
            Info info = tensorInfo(in, i);
            if (!names.add(info.name())) {
                throw in.error("duplicate tensor " + Quoted.of(info.name()));
            }
            infos.add(info);
        }
        long dataOffset = alignUp(in.position(), alignment);
        checkPlacement(in, infos, all.byteSize(), dataOffset, alignment);

        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Info info : infos) {
            long[] shape = new long[info.ne().length];
            for (int d = 0; d < shape.length; d++) {
                shape[d] = info.ne()[shape.length - 1 - d];
            }
            MemorySegment data = all.asSlice(dataOffset + info.offset(), info.bytes());
            tensors.put(info.name(), new Tensor(info.name(), info.type().dtype(), shape, data));
        }
        return new Gguf(mapping, version, metadata, alignment, dataOffset, Collections.unmodifiableMap(tensors));
    }

    private static void checkVersion(GgufCursor in, int version) {
        if (version == 2 || version == 3) {
            return;
        }
        int swapped = Integer.reverseBytes(version);
        if (swapped >= 1 && swapped <= 3) {
            throw in.error("big-endian GGUF (version " + swapped + ") is not supported, only little-endian");
        }
        throw in.error("unsupported GGUF version " + Integer.toUnsignedString(version) + " (supported: 2, 3)");
    }

    private static int alignment(GgufCursor in, GgufMetadata metadata) {
        if (!metadata.contains(GgufMetadata.ALIGNMENT)) {
            return DEFAULT_ALIGNMENT;
        }
        int alignment = metadata.getInt(GgufMetadata.ALIGNMENT);
        if (alignment <= 0 || Integer.bitCount(alignment) != 1) {
            throw in.error("metadata key '" + GgufMetadata.ALIGNMENT + "' is " + alignment + ", expected a power of two");
        }
        return alignment;
    }

    private static Info tensorInfo(GgufCursor in, long index) {
        String name = in.string("tensor info " + index + " name");
        String where = "tensor " + Quoted.of(name);
        int dims = in.u32(where + " n_dims");
        if (dims < 1 || dims > MAX_DIMS) {
            throw in.error(where + " has " + Integer.toUnsignedString(dims) + " dimensions, expected 1 to " + MAX_DIMS);
        }
        long[] ne = new long[dims];
        long elements = 1;
        for (int d = 0; d < dims; d++) {
            ne[d] = in.u64(where + " dimension " + d);
            if (ne[d] < 0) {
                throw in.error(where + " dimension " + d + " is " + Long.toUnsignedString(ne[d]));
            }
            try {
                elements = Math.multiplyExact(elements, ne[d]);
            } catch (ArithmeticException e) {
                throw in.error(where + " has too many elements: ne " + Arrays.toString(ne));
            }
        }
        int typeId = in.u32(where + " type");
        GgmlType type = GgmlType.ofId(typeId);
        if (type == null) {
            throw in.error(where + " has " + GgmlType.describeUnreadable(typeId));
        }
        int block = type.dtype().blockSize();
        if (ne[0] % block != 0) {
            throw in.error(where + " has rows of " + ne[0] + " values, not a multiple of " + type + "'s block of " + block);
        }
        long offset = in.u64(where + " offset");
        long bytes;
        try {
            bytes = type.dtype().byteSize(elements);
        } catch (ArithmeticException e) {
            throw in.error(where + " has too many elements: ne " + Arrays.toString(ne));
        }
        return new Info(name, ne, type, offset, bytes);
    }

    /** Each tensor must start aligned, lie inside the file, and not overlap another. */
    private static void checkPlacement(GgufCursor in, List<Info> infos, long fileSize, long dataOffset, int alignment) {
        long available = Math.max(0, fileSize - dataOffset);
        for (Info info : infos) {
            String where = "tensor " + Quoted.of(info.name());
            if (info.offset() < 0 || info.offset() % alignment != 0) {
                throw in.error(where + " has offset " + Long.toUnsignedString(info.offset())
                        + ", not a multiple of the alignment " + alignment);
            }
            if (info.offset() > available || info.bytes() > available - info.offset()) {
                throw in.error("truncated: " + where + " (" + info.type() + ", " + info.bytes() + " bytes at data offset "
                        + info.offset() + ") runs past the end of the file: " + available + " bytes of tensor data from byte "
                        + dataOffset);
            }
        }
        List<Info> byOffset = new ArrayList<>(infos);
        byOffset.sort(Comparator.comparingLong(Info::offset));
        for (int i = 1; i < byOffset.size(); i++) {
            Info previous = byOffset.get(i - 1);
            Info info = byOffset.get(i);
            if (info.offset() < previous.offset() + previous.bytes()) {
                throw in.error("tensor " + Quoted.of(info.name()) + " at data offset " + info.offset() + " overlaps tensor "
                        + Quoted.of(previous.name()) + " (bytes " + previous.offset() + " to " + (previous.offset() + previous.bytes()) + ")");
            }
        }
    }

    static long alignUp(long position, int alignment) {
        return (position + alignment - 1) / alignment * alignment;
    }

    /** The format version: 2 or 3. */
    public int version() {
        return version;
    }

    public GgufMetadata metadata() {
        return metadata;
    }

    /** Bytes tensor data is aligned to ({@code general.alignment}, default 32). */
    public int alignment() {
        return alignment;
    }

    /** Where the tensor data starts in the file. */
    public long dataOffset() {
        return dataOffset;
    }

    /** The tensors in file order, row-major shapes (GGUF's dimension order reversed). */
    public List<Tensor> tensors() {
        return names().stream().map(this::require).toList();
    }
}
