package dev.jgpt.format;

import dev.jgpt.format.GgufValue.BoolValue;
import dev.jgpt.format.GgufValue.FloatValue;
import dev.jgpt.format.GgufValue.IntValue;
import dev.jgpt.format.GgufValue.StringValue;
import dev.jgpt.format.SafeTensorsWriter.Entry;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes GGUF version 3 files (layout in {@link Gguf}) atomically: the header is encoded first,
 * then the file is mapped at its final size and each tensor's {@link Entry#fill()} writes its
 * bytes in place (so a quantizer writes blocks straight into the file). Tensor data is aligned
 * to {@code general.alignment} when the metadata sets it, else to 32 bytes.
 */
public final class GgufWriter {
    public static final int VERSION = 3;

    /** Told after each tensor is written (index counts from 0). */
    @FunctionalInterface
    public interface Progress {
        void written(int index, int count, Entry entry);
    }

    private GgufWriter() {}

    public static void write(Path file, Map<String, GgufValue> metadata, List<Entry> tensors) {
        write(file, metadata, tensors, (index, count, entry) -> {});
    }

    /**
     * Writes {@code metadata} (in its iteration order) and {@code tensors} (shapes row-major,
     * as {@link Gguf} reads them) to {@code file}.
     *
     * @throws IllegalArgumentException for tensors GGUF cannot hold: duplicate names, more than
     *     four dimensions, rows that are not whole blocks of their type, a bad alignment
     */
    public static void write(Path file, Map<String, GgufValue> metadata, List<Entry> tensors, Progress progress) {
        int alignment = alignment(metadata);
        Encoder header = new Encoder();
        header.bytes("GGUF".getBytes(StandardCharsets.US_ASCII));
        header.u32(VERSION);
        header.u64(tensors.size());
        header.u64(metadata.size());
        metadata.forEach((key, value) -> {
            header.string(key);
            header.u32(value.type().id());
            header.value(value);
        });
        long[] offsets = new long[tensors.size()];
        long offset = 0;
        Set<String> names = new HashSet<>();
        for (int i = 0; i < tensors.size(); i++) {
            Entry e = tensors.get(i);
            check(e, names);
            offsets[i] = offset;
            header.string(e.name());
            long[] shape = e.shape();
            header.u32(shape.length);
            for (int d = shape.length - 1; d >= 0; d--) {
                header.u64(shape[d]); // GGML order: innermost dimension first
            }
            header.u32(GgmlType.of(e.dtype()).id());
            header.u64(offset);
            offset = Gguf.alignUp(offset + e.byteSize(), alignment);
        }
        byte[] head = header.toByteArray();
        long dataStart = tensors.isEmpty() ? head.length : Gguf.alignUp(head.length, alignment);
        long total = dataStart + offset;
        AtomicFiles.writeMapped(file, total, out -> {
            MemorySegment.copy(head, 0, out, ValueLayout.JAVA_BYTE, 0, head.length);
            out.asSlice(head.length, dataStart - head.length).fill((byte) 0);
            for (int i = 0; i < tensors.size(); i++) {
                Entry e = tensors.get(i);
                long at = dataStart + offsets[i];
                long end = i + 1 < offsets.length ? dataStart + offsets[i + 1] : total;
                e.fill().accept(out.asSlice(at, e.byteSize()));
                out.asSlice(at + e.byteSize(), end - at - e.byteSize()).fill((byte) 0);
                progress.written(i, tensors.size(), e);
            }
        });
    }

    private static int alignment(Map<String, GgufValue> metadata) {
        GgufValue value = metadata.get(GgufMetadata.ALIGNMENT);
        if (value == null) {
            return Gguf.DEFAULT_ALIGNMENT;
        }
        if (value instanceof IntValue i && i.fitsInt() && i.value() > 0 && Long.bitCount(i.value()) == 1) {
            return (int) i.value();
        }
        throw new IllegalArgumentException(GgufMetadata.ALIGNMENT + " must be a power of two, not " + value.display());
    }

    private static void check(Entry e, Set<String> names) {
        long[] shape = e.shape();
        if (!names.add(e.name())) {
            throw new IllegalArgumentException("tensor '" + e.name() + "' is written twice");
        }
        if (shape.length < 1 || shape.length > 4) {
            throw new IllegalArgumentException("tensor '" + e.name() + "' has " + shape.length + " dimensions, GGUF holds 1 to 4");
        }
        long row = shape[shape.length - 1];
        if (row % e.dtype().blockSize() != 0) {
            throw new IllegalArgumentException("tensor '" + e.name() + "' has rows of " + row + " values, not whole "
                    + e.dtype() + " blocks of " + e.dtype().blockSize());
        }
    }

    /** Little-endian GGUF encoding of the header, the inverse of {@link GgufCursor}. */
    private static final class Encoder extends ByteArrayOutputStream {
        void u8(int v) {
            write(v);
        }

        void u16(int v) {
            u8(v);
            u8(v >>> 8);
        }

        void u32(long v) {
            u16((int) v);
            u16((int) (v >>> 16));
        }

        void u64(long v) {
            u32(v);
            u32(v >>> 32);
        }

        void bytes(byte[] b) {
            write(b, 0, b.length);
        }

        void string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            u64(b.length);
            bytes(b);
        }

        void value(GgufValue value) {
            switch (value) {
                case IntValue i -> {
                    switch (i.type().fixedBytes()) {
                        case 1 -> u8((int) i.value());
                        case 2 -> u16((int) i.value());
                        case 4 -> u32(i.value());
                        default -> u64(i.value());
                    }
                }
                case FloatValue f -> {
                    if (f.type() == GgufType.FLOAT32) {
                        u32(Float.floatToRawIntBits((float) f.value()));
                    } else {
                        u64(Double.doubleToRawLongBits(f.value()));
                    }
                }
                case BoolValue b -> u8(b.value() ? 1 : 0);
                case StringValue s -> string(s.value());
                case GgufArray a -> {
                    u32(a.elementType().id());
                    u64(a.size());
                    if (a.elementType() == GgufType.ARRAY) {
                        a.arrays().forEach(this::value);
                    } else {
                        bytes(a.encoded());
                    }
                }
            }
        }
    }
}
