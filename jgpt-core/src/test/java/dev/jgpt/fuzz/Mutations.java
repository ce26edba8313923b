package dev.jgpt.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jgpt.format.GgmlType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The mutations the fuzzer applies to a model's files: bit flips, truncation, every structural
 * integer of a GGUF file set to an edge value, metadata values of another type or removed,
 * safetensors headers with other dtypes, shapes, offsets and names, config.json and
 * tokenizer.json values replaced or nested too deep, non-finite weights.
 */
final class Mutations {
    /** A model as files (name to contents): {@code model.gguf}, or a Hugging Face folder's files. */
    record Model(String name, Map<String, byte[]> files) {
        boolean gguf() {
            return files.containsKey(GGUF);
        }
    }

    /** A mutated copy of a model and what was done to it. */
    record Mutant(Model model, String description) {}

    static final String GGUF = "model.gguf";
    static final String CONFIG = "config.json";
    static final String WEIGHTS = "model.safetensors";
    static final String TOKENIZER = "tokenizer.json";
    private static final List<String> CONFIG_FIELDS = List.of("n_layer", "n_head", "n_embd", "n_positions", "vocab_size", "n_inner",
            "layer_norm_epsilon", "model_type", "activation_function");
    private static final List<String> TOKENIZER_PATHS = List.of("/model/type", "/model/vocab", "/model/merges", "/pre_tokenizer",
            "/pre_tokenizer/type", "/added_tokens", "/added_tokens/0/id", "/added_tokens/0/content", "/decoder", "/normalizer",
            "/model/dropout", "/model/continuing_subword_prefix");
    private static final int[] GGML_TYPE_IDS = {0, 1, 2, 3, 6, 7, 8, 12, 13, 14, 30, 9, 31, 1000, -1};
    private static final List<String> NAMES = List.of("h.2.ln_1.weight", "h.999999999.ln_1.weight", "h.99999999999999999999.ln_1.bias",
            "blk.2.attn_norm.weight", "blk.999999999.attn_norm.weight", "transformer.wte.weight", "lm_head.weight", "x", "",
            "\u001b]0;x\u0007", "output.weight", "rope_freqs.weight", "h.0.attn.bias");

    private Mutations() {}

    /** One mutation of {@code base}, or (one case in four) two or three in a row. */
    static Mutant of(Model base, Random random) {
        Map<String, byte[]> files = new LinkedHashMap<>(base.files());
        List<String> done = new ArrayList<>();
        int count = random.nextInt(4) == 0 ? 2 + random.nextInt(2) : 1;
        for (int i = 0; i < count; i++) {
            Map<String, byte[]> next = new LinkedHashMap<>(files);
            try {
                done.add(base.gguf() ? gguf(next, random) : folder(next, random));
            } catch (RuntimeException e) {
                break; // the file no longer has the structure the next mutation aims at
            }
            files = next;
        }
        return new Mutant(new Model(base.name(), files), base.name() + ": " + String.join("; then ", done));
    }

    private static String gguf(Map<String, byte[]> files, Random random) {
        byte[] file = files.get(GGUF);
        GgufLayout layout = GgufLayout.of(file);
        int pick = random.nextInt(100);
        String done;
        if (pick < 40) {
            done = field(files, file, layout, random);
        } else if (pick < 52) {
            int bits = 1 + random.nextInt(8);
            boolean header = random.nextInt(4) != 0;
            files.put(GGUF, Bytes.flip(file, random, bits, header ? layout.infosEnd() : file.length));
            done = bits + " bits flipped in the " + (header ? "header" : "file");
        } else if (pick < 60) {
            int length = random.nextBoolean() ? random.nextInt(layout.infosEnd() + 1) : random.nextInt(file.length);
            files.put(GGUF, Bytes.truncate(file, length));
            done = "truncated to " + length + " of " + file.length + " bytes";
        } else if (pick < 78) {
            done = metadataValue(files, file, layout, random);
        } else if (pick < 84) {
            GgufLayout.Entry entry = layout.entries().get(random.nextInt(layout.entries().size()));
            byte[] out = Bytes.splice(file, entry.keyOffset(), entry.end(), new byte[0]);
            out = Bytes.put(out, 16, 8, layout.entries().size() - 1);
            files.put(GGUF, realign(out, layout.infosEnd() - (entry.end() - entry.keyOffset()), layout));
            done = "metadata key '" + entry.key() + "' removed";
        } else {
            done = ggufNonFinite(files, file, layout, random);
        }
        return "gguf " + done;
    }

    /** One structural integer set to an edge value; a tensor type, to another GGML type id (read by jgpt or not). */
    private static String field(Map<String, byte[]> files, byte[] file, GgufLayout layout, Random random) {
        List<String> groups = layout.fields().stream().map(GgufLayout.Field::group).distinct().toList();
        String group = groups.get(random.nextInt(groups.size()));
        List<GgufLayout.Field> fields = layout.fields().stream().filter(f -> f.group().equals(group)).toList();
        GgufLayout.Field f = fields.get(random.nextInt(fields.size()));
        long value = group.equals("tensor type") || random.nextInt(10) == 0 ? GGML_TYPE_IDS[random.nextInt(GGML_TYPE_IDS.length)]
                : random.nextInt(6) == 0 ? read(file, f) + random.nextInt(5) - 2 : Bytes.interesting(random);
        files.put(GGUF, Bytes.put(file, f.offset(), f.width(), value));
        return group + " of " + f.label() + " := " + value;
    }

    /** A metadata value replaced by one of another type or an edge value, the header realigned after it. */
    private static String metadataValue(Map<String, byte[]> files, byte[] file, GgufLayout layout, Random random) {
        GgufLayout.Entry entry = layout.entries().get(random.nextInt(layout.entries().size()));
        ByteBuffer value = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        String shown;
        switch (random.nextInt(7)) {
            case 0 -> {
                long v = Bytes.interesting(random);
                value.putInt(4).putInt((int) v);
                shown = "u32 " + Integer.toUnsignedString((int) v);
            }
            case 1 -> {
                long v = Bytes.interesting(random);
                value.putInt(5).putInt((int) v);
                shown = "i32 " + (int) v;
            }
            case 2 -> {
                long v = Bytes.interesting(random);
                value.putInt(11).putLong(v);
                shown = "i64 " + v;
            }
            case 3 -> {
                float v = new float[] {Float.NaN, Float.POSITIVE_INFINITY, -1, 0, 1e-30f, 3.4e38f}[random.nextInt(6)];
                value.putInt(6).putFloat(v);
                shown = "f32 " + v;
            }
            case 4 -> {
                byte[] text = new String[] {"", "gpt2", "llama", "\u001b]0;x\u0007", "linear", "yarn"}[random.nextInt(6)]
                        .getBytes(StandardCharsets.UTF_8);
                value.putInt(8).putLong(text.length).put(text);
                shown = "string '" + new String(text, StandardCharsets.UTF_8) + "'";
            }
            case 5 -> {
                value.putInt(9).putInt(4).putLong(2).putInt(7).putInt(-1);
                shown = "array of u32 [7, 4294967295]";
            }
            default -> {
                value.putInt(9).putInt(9).putLong(1).putInt(8).putLong(0);
                shown = "array of one empty array of strings";
            }
        }
        byte[] encoded = Arrays.copyOf(value.array(), value.position());
        byte[] out = Bytes.splice(file, entry.typeOffset(), entry.end(), encoded);
        files.put(GGUF, realign(out, layout.infosEnd() + encoded.length - (entry.end() - entry.typeOffset()), layout));
        return "metadata '" + entry.key() + "' := " + shown;
    }

    /** {@code changed} (a copy whose tensor infos now end at {@code infosEnd}) with the tensor data moved to the next aligned offset. */
    private static byte[] realign(byte[] changed, int infosEnd, GgufLayout layout) {
        int oldData = layout.dataStart() + infosEnd - layout.infosEnd();
        int dataStart = (infosEnd + 31) / 32 * 32;
        byte[] out = new byte[dataStart + changed.length - oldData];
        System.arraycopy(changed, 0, out, 0, infosEnd);
        System.arraycopy(changed, oldData, out, dataStart, changed.length - oldData);
        return out;
    }

    private static String ggufNonFinite(Map<String, byte[]> files, byte[] file, GgufLayout layout, Random random) {
        GgufLayout.TensorData t = layout.tensors().get(random.nextInt(layout.tensors().size()));
        GgmlType type = t.type();
        int blocks = (int) (t.bytes() / type.dtype().blockBytes());
        int block = random.nextInt(blocks);
        long at = t.start() + (long) block * type.dtype().blockBytes();
        int width = type == GgmlType.F32 ? 4 : 2; // a quantized block starts with its f16 scale (Q6_K's is last)
        if (type == GgmlType.Q6_K) {
            at += 208;
        }
        files.put(GGUF, Bytes.put(file, (int) at, width, Bytes.nonFinite(random, width, type == GgmlType.BF16)));
        return "non-finite value in " + t.name() + " (" + type + ") block " + block;
    }

    private static String folder(Map<String, byte[]> files, Random random) {
        int pick = random.nextInt(100);
        if (pick < 25) {
            JsonMutations.Document doc = JsonMutations.parse(files.get(CONFIG));
            if (random.nextInt(4) == 0) {
                JsonMutations.mutateAny(doc, random);
            } else {
                JsonMutations.mutateAt(doc, "/" + CONFIG_FIELDS.get(random.nextInt(CONFIG_FIELDS.size())), random);
            }
            files.put(CONFIG, doc.bytes());
            return "config.json " + doc.done;
        }
        if (pick < 42) {
            JsonMutations.Document doc = JsonMutations.parse(files.get(TOKENIZER));
            if (random.nextBoolean()) {
                JsonMutations.mutateAny(doc, random);
            } else {
                JsonMutations.mutateAt(doc, TOKENIZER_PATHS.get(random.nextInt(TOKENIZER_PATHS.size())), random);
            }
            files.put(TOKENIZER, doc.bytes());
            return "tokenizer.json " + doc.done;
        }
        if (pick < 67) {
            return "safetensors header " + header(files, random);
        }
        if (pick < 72) {
            long value = Bytes.interesting(random);
            files.put(WEIGHTS, Bytes.put(files.get(WEIGHTS), 0, 8, value));
            return "safetensors header length := " + value;
        }
        if (pick < 82) {
            String name = List.of(CONFIG, WEIGHTS, TOKENIZER).get(random.nextInt(3));
            byte[] data = files.get(name);
            if (random.nextBoolean()) {
                int length = random.nextInt(data.length);
                files.put(name, Bytes.truncate(data, length));
                return name + " truncated to " + length + " of " + data.length + " bytes";
            }
            int bits = 1 + random.nextInt(8);
            files.put(name, Bytes.flip(data, random, bits, name.equals(WEIGHTS) && random.nextBoolean() ? headerEnd(data) : data.length));
            return name + ": " + bits + " bits flipped";
        }
        return safetensorsNonFinite(files, random);
    }

    /** One tensor entry of the safetensors header changed: dtype, shape, offsets, name, or the entry itself. */
    private static String header(Map<String, byte[]> files, Random random) {
        byte[] file = files.get(WEIGHTS);
        int end = headerEnd(file);
        JsonMutations.Document doc = JsonMutations.parse(Arrays.copyOfRange(file, 8, end));
        ObjectNode root = (ObjectNode) doc.root;
        List<String> names = new ArrayList<>();
        root.fieldNames().forEachRemaining(n -> {
            if (!n.equals("__metadata__")) {
                names.add(n);
            }
        });
        String name = names.get(random.nextInt(names.size()));
        String pointer = "/" + name.replace("~", "~0").replace("/", "~1");
        switch (random.nextInt(9)) {
            case 0 -> {
                String dtype = new String[] {"F32", "F16", "BF16", "F64", "I8", "Q8_0", "", "\u001b[2J"}[random.nextInt(8)];
                ((ObjectNode) root.get(name)).put("dtype", dtype);
                doc.done.add(name + " dtype := " + dtype);
            }
            case 1, 2 -> JsonMutations.mutateAt(doc, pointer + "/shape/" + random.nextInt(3), random);
            case 3, 4 -> JsonMutations.mutateAt(doc, pointer + "/data_offsets/" + random.nextInt(2), random);
            case 5 -> {
                JsonNode entry = root.remove(name);
                String renamed = NAMES.get(random.nextInt(NAMES.size()));
                root.set(renamed, entry);
                doc.done.add(name + " renamed " + renamed);
            }
            case 6 -> {
                root.set(NAMES.get(random.nextInt(NAMES.size())), root.get(name).deepCopy());
                doc.done.add(name + " also under another name");
            }
            case 7 -> JsonMutations.mutateAt(doc, random.nextBoolean() ? pointer : "/__metadata__", random);
            default -> JsonMutations.mutateAt(doc, pointer + "/" + new String[] {"dtype", "shape", "data_offsets"}[random.nextInt(3)],
                    random);
        }
        byte[] header = doc.bytes();
        byte[] out = new byte[8 + header.length + file.length - end];
        ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).put(header).put(file, end, file.length - end);
        files.put(WEIGHTS, out);
        return doc.done.toString();
    }

    private static String safetensorsNonFinite(Map<String, byte[]> files, Random random) {
        byte[] file = files.get(WEIGHTS);
        int end = headerEnd(file);
        JsonNode root = JsonMutations.parse(Arrays.copyOfRange(file, 8, end)).root;
        List<String> names = new ArrayList<>();
        root.fieldNames().forEachRemaining(n -> {
            if (!n.equals("__metadata__")) {
                names.add(n);
            }
        });
        String name = names.get(random.nextInt(names.size()));
        JsonNode info = root.get(name);
        String dtype = info.get("dtype").asText();
        int width = dtype.equals("F32") ? 4 : 2;
        long begin = info.get("data_offsets").get(0).asLong();
        long count = (info.get("data_offsets").get(1).asLong() - begin) / width;
        long element = (long) (random.nextDouble() * count);
        files.put(WEIGHTS, Bytes.put(file, (int) (end + begin + element * width), width, Bytes.nonFinite(random, width, dtype.equals("BF16"))));
        return "non-finite value in " + name + " (" + dtype + ") element " + element;
    }

    private static int headerEnd(byte[] safetensors) {
        long length = ByteBuffer.wrap(safetensors).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        if (length < 0 || length > safetensors.length - 8) { // a file mutated before: not well-formed any more
            throw new IllegalArgumentException("header length " + length);
        }
        return 8 + (int) length;
    }

    private static long read(byte[] file, GgufLayout.Field f) {
        long v = 0;
        for (int i = f.width() - 1; i >= 0; i--) {
            v = (v << 8) | (file[f.offset() + i] & 0xFF);
        }
        return v;
    }
}
