package dev.jgpt.fuzz;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Mutations of a JSON document: one value replaced by one that breaks readers (edges of int and
 * long, fractions, wrong types, terminal escapes, a 5 MB string, nesting deeper than parsers
 * allow), or removed. Each names what it did.
 */
final class JsonMutations {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** Stands for raw text (deep nesting) that a tree cannot hold without recursing that deep itself. */
    private static final String RAW = "\u0001raw\u0001";

    /** A document being mutated: its tree, raw text for the {@link #RAW} placeholder, what was done. */
    static final class Document {
        final JsonNode root;
        String raw;
        final List<String> done = new ArrayList<>();

        Document(JsonNode root) {
            this.root = root;
        }

        byte[] bytes() {
            try {
                String text = JSON.writeValueAsString(root);
                return (raw == null ? text : text.replace("\"\\u0001raw\\u0001\"", raw)).getBytes(StandardCharsets.UTF_8);
            } catch (JacksonException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private JsonMutations() {}

    static Document parse(byte[] text) {
        try {
            return new Document(JSON.readTree(text));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sets or removes one value of the document, chosen at random among all of them. */
    static void mutateAny(Document doc, Random random) {
        List<String> paths = new ArrayList<>();
        collect(doc.root, "", paths);
        mutateAt(doc, paths.get(random.nextInt(paths.size())), random);
    }

    /** Sets or removes the value at {@code path} (a JSON pointer, created when absent). */
    static void mutateAt(Document doc, String path, Random random) {
        int slash = path.lastIndexOf('/');
        JsonNode parent = doc.root.at(path.substring(0, slash));
        String key = path.substring(slash + 1).replace("~1", "/").replace("~0", "~");
        if (!(parent instanceof ContainerNode<?>)) {
            doc.done.add(path + ": parent missing");
            return;
        }
        if (random.nextInt(8) == 0) {
            remove(parent, key);
            doc.done.add(path + " removed");
            return;
        }
        JsonNode value = value(doc, random);
        set(parent, key, value);
        doc.done.add(path + " := " + describe(value, doc));
    }

    /** A value that breaks readers. */
    static JsonNode value(Document doc, Random random) {
        return switch (random.nextInt(20)) {
            case 0, 1, 2, 13, 14, 15, 16, 17, 18 -> NODES.numberNode(Bytes.interesting(random));
            case 3 -> NODES.numberNode(new BigInteger("18446744073709551616").add(BigInteger.valueOf(random.nextInt(3) - 1)));
            case 4 -> NODES.numberNode(new double[] {1.5, -0.0, 1e9, 1e300, -1e300, 4.9e-324, 0.1}[random.nextInt(7)]);
            case 5 -> NODES.textNode(new String[] {"", "12", "gpt2", "F32", "\u001b]0;x\u0007\u001b[2J", "h.0.x", "a b"}[random.nextInt(7)]);
            case 6 -> NODES.nullNode();
            case 7 -> NODES.booleanNode(random.nextBoolean());
            case 8 -> NODES.arrayNode().add(1).add(-1);
            case 9 -> NODES.objectNode();
            case 10 -> NODES.textNode("\u009b2J" + "x".repeat(random.nextBoolean() ? 5 << 20 : 70_000));
            case 11, 12 -> {
                int depth = new int[] {200, 999, 1001, 100_000}[random.nextInt(4)];
                doc.raw = random.nextBoolean() ? "[".repeat(depth) + "]".repeat(depth) : "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
                yield NODES.textNode(RAW);
            }
            default -> NODES.numberNode(random.nextInt(600) - 100);
        };
    }

    static String describe(JsonNode value, Document doc) {
        if (value.isTextual() && value.asText().equals(RAW)) {
            return "nesting " + doc.raw.chars().takeWhile(c -> c == '[' || c == '{').count() + " deep ("
                    + doc.raw.charAt(0) + ")";
        }
        String text = value.toString();
        return text.length() > 40 ? text.substring(0, 20) + "... (" + text.length() + " chars)" : text;
    }

    private static void collect(JsonNode node, String path, List<String> out) {
        if (node.isObject()) {
            node.properties().forEach(e -> {
                String child = path + "/" + e.getKey().replace("~", "~0").replace("/", "~1");
                out.add(child);
                collect(e.getValue(), child, out);
            });
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                out.add(path + "/" + i);
                collect(node.get(i), path + "/" + i, out);
            }
        }
    }

    private static void set(JsonNode parent, String key, JsonNode value) {
        if (parent instanceof ObjectNode object) {
            object.set(key, value);
        } else if (parent instanceof ArrayNode array) {
            int index = Integer.parseInt(key);
            if (index < array.size()) {
                array.set(index, value);
            } else {
                array.add(value);
            }
        }
    }

    private static void remove(JsonNode parent, String key) {
        if (parent instanceof ObjectNode object) {
            object.remove(key);
        } else if (parent instanceof ArrayNode array && Integer.parseInt(key) < array.size()) {
            array.remove(Integer.parseInt(key));
        }
    }
}
