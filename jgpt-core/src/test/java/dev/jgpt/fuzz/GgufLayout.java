package dev.jgpt.fuzz;

import dev.jgpt.format.GgmlType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Where everything lies in a well-formed GGUF file, read independently of the reader under test:
 * every integer of its structure (counts, lengths, type ids, dimensions, offsets, integer
 * values), each metadata entry's byte range, and each tensor's data, so that a mutation can aim
 * at one of them.
 */
record GgufLayout(List<Field> fields, List<Entry> entries, List<TensorData> tensors, int infosEnd, int dataStart) {
    /** An integer of {@code width} bytes at {@code offset}; {@code group} says what kind, {@code label} which. */
    record Field(int offset, int width, String group, String label) {}

    /** Metadata entry {@code key}: its value type id at {@code typeOffset}, its value up to {@code end}. */
    record Entry(String key, int keyOffset, int typeOffset, int end) {}

    /** A tensor's data: {@code bytes} bytes of {@code type} from file offset {@code start}. */
    record TensorData(String name, GgmlType type, long start, long bytes) {}

    private static final int ALIGNMENT = 32;

    static GgufLayout of(byte[] file) {
        ByteBuffer in = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        List<Field> fields = new ArrayList<>();
        in.position(4);
        field(fields, in, 4, "header", "version");
        long tensorCount = field(fields, in, 8, "header", "tensor count");
        long keyCount = field(fields, in, 8, "header", "metadata key-value count");
        List<Entry> entries = new ArrayList<>();
        for (long i = 0; i < keyCount; i++) {
            int keyOffset = in.position();
            String key = string(fields, in, "key length", "key " + i);
            int typeOffset = in.position();
            int type = (int) field(fields, in, 4, "value type", key);
            value(fields, in, type, key);
            entries.add(new Entry(key, keyOffset, typeOffset, in.position()));
        }
        List<long[]> infos = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (long i = 0; i < tensorCount; i++) {
            String name = string(fields, in, "tensor name length", "tensor " + i);
            int dims = (int) field(fields, in, 4, "tensor dims", name);
            long elements = 1;
            for (int d = 0; d < dims; d++) {
                elements *= field(fields, in, 8, "tensor shape", name + " ne[" + d + "]");
            }
            long type = field(fields, in, 4, "tensor type", name);
            long offset = field(fields, in, 8, "tensor offset", name);
            infos.add(new long[] {type, offset, elements});
            names.add(name);
        }
        int infosEnd = in.position();
        int dataStart = (infosEnd + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
        List<TensorData> tensors = new ArrayList<>();
        for (int i = 0; i < infos.size(); i++) {
            GgmlType type = GgmlType.ofId((int) infos.get(i)[0]);
            tensors.add(new TensorData(names.get(i), type, dataStart + infos.get(i)[1], type.dtype().byteSize(infos.get(i)[2])));
        }
        return new GgufLayout(fields, entries, tensors, infosEnd, dataStart);
    }

    private static long field(List<Field> fields, ByteBuffer in, int width, String group, String label) {
        fields.add(new Field(in.position(), width, group, label));
        return switch (width) {
            case 1 -> in.get() & 0xFF;
            case 2 -> in.getShort() & 0xFFFF;
            case 4 -> in.getInt() & 0xFFFFFFFFL;
            default -> in.getLong();
        };
    }

    private static String string(List<Field> fields, ByteBuffer in, String group, String label) {
        long length = field(fields, in, 8, group, label);
        if (length < 0 || length > in.remaining()) { // a file mutated before: not well-formed any more
            throw new IllegalArgumentException(label + ": string of " + length + " bytes");
        }
        byte[] bytes = new byte[(int) length];
        in.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static void value(List<Field> fields, ByteBuffer in, int type, String key) {
        value(fields, in, type, key, "value");
    }

    private static void value(List<Field> fields, ByteBuffer in, int type, String key, String group) {
        switch (type) {
            case 0, 1, 7 -> field(fields, in, 1, group, key);
            case 2, 3 -> field(fields, in, 2, group, key);
            case 4, 5 -> field(fields, in, 4, group, key);
            case 10, 11 -> field(fields, in, 8, group, key);
            case 6 -> in.position(in.position() + 4);
            case 12 -> in.position(in.position() + 8);
            case 8 -> string(fields, in, "string length", key);
            case 9 -> {
                int elementType = (int) field(fields, in, 4, "array type", key);
                long count = field(fields, in, 8, "array length", key);
                for (long i = 0; i < count; i++) {
                    // the elements of long arrays (the vocabulary) are skipped as fields: one in ten is enough to aim at
                    int before = fields.size();
                    value(fields, in, elementType, key + "[" + i + "]", "array element");
                    if (i % 10 != 0) {
                        fields.subList(before, fields.size()).clear();
                    }
                }
            }
            default -> throw new IllegalArgumentException("value type " + type);
        }
    }
}
