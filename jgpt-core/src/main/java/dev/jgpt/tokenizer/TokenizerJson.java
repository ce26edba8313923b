package dev.jgpt.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jgpt.JgptException;
import dev.jgpt.format.FormatException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Hugging Face's {@code tokenizer.json} for byte-level BPE: a BPE model (vocab + merges), the
 * ByteLevel pre-tokenizer and decoder, and added tokens, which jgpt treats as special tokens.
 */
public final class TokenizerJson {
    private TokenizerJson() {}

    /**
     * Reads a byte-level BPE {@code tokenizer.json}. Every added token is recognised in text as
     * its id, as Hugging Face does for added tokens. Settings that would change the result and
     * that jgpt does not implement (a normalizer, a prefix space, a non-ByteLevel pre-tokenizer,
     * subword prefixes) are refused rather than ignored.
     */
    public static ByteLevelBpe read(Path file) {
        JsonNode root = Json.read(file);
        if (!root.isObject()) {
            throw new FormatException(file, "expected a JSON object at the top level");
        }
        JsonNode model = root.get("model");
        if (model == null || !model.isObject()) {
            throw new FormatException(file, "missing model (an object with type BPE, vocab and merges)");
        }
        String type = model.path("type").asText("BPE");
        if (!type.equals("BPE")) {
            throw new FormatException(file, "model.type is " + type + ", only BPE is supported");
        }
        checkSupported(root, model, file);
        Vocab vocab = Vocab.of(model.get("vocab"), file, "model.vocab");
        List<BpeModel.Merge> merges = merges(model.get("merges"), vocab, file);
        Map<String, Integer> specials = addedTokens(root.get("added_tokens"), file);
        return Vocab.build(new BpeModel(vocab.tokens(), merges, specials), file, i -> "model.merges[" + i + "]");
    }

    private static void checkSupported(JsonNode root, JsonNode model, Path file) {
        JsonNode normalizer = root.get("normalizer");
        if (normalizer != null && !normalizer.isNull()) {
            throw new FormatException(file, "normalizer " + normalizer.path("type").asText("?") + " is not supported (expected null)");
        }
        JsonNode pre = root.get("pre_tokenizer");
        if (pre == null || !pre.path("type").asText().equals("ByteLevel")) {
            String found = pre == null || pre.isNull() ? "none" : pre.path("type").asText("?");
            throw new FormatException(file, "pre_tokenizer is " + found + ", only ByteLevel (GPT-2's) is supported");
        }
        if (pre.path("add_prefix_space").asBoolean(false)) {
            throw new FormatException(file, "pre_tokenizer.add_prefix_space true is not supported");
        }
        if (!pre.path("use_regex").asBoolean(true)) {
            throw new FormatException(file, "pre_tokenizer.use_regex false is not supported");
        }
        for (String field : List.of("continuing_subword_prefix", "end_of_word_suffix")) {
            if (!model.path(field).asText("").isEmpty()) {
                throw new FormatException(file, "model." + field + " \"" + model.get(field).asText() + "\" is not supported");
            }
        }
        if (model.path("ignore_merges").asBoolean(false)) {
            throw new FormatException(file, "model.ignore_merges true is not supported");
        }
    }

    /** Merges spelled "left right" (older files) or ["left", "right"] (newer files). */
    private static List<BpeModel.Merge> merges(JsonNode node, Vocab vocab, Path file) {
        if (node == null || !node.isArray()) {
            throw new FormatException(file, "missing model.merges (an array)");
        }
        List<BpeModel.Merge> merges = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            JsonNode merge = node.get(i);
            String where = "model.merges[" + i + "]";
            String[] pair;
            if (merge.isTextual()) {
                pair = merge.asText().split(" ", -1);
            } else if (merge.isArray() && merge.size() == 2 && merge.get(0).isTextual() && merge.get(1).isTextual()) {
                pair = new String[] {merge.get(0).asText(), merge.get(1).asText()};
            } else {
                pair = new String[0];
            }
            if (pair.length != 2 || pair[0].isEmpty() || pair[1].isEmpty()) {
                throw new FormatException(file, where + " is " + merge + ", expected \"left right\" or [\"left\", \"right\"]");
            }
            merges.add(new BpeModel.Merge(
                    vocab.id(pair[0], file, where, "model.vocab"), vocab.id(pair[1], file, where, "model.vocab")));
        }
        return merges;
    }

    private static Map<String, Integer> addedTokens(JsonNode node, Path file) {
        Map<String, Integer> specials = new HashMap<>();
        if (node == null || node.isNull()) {
            return specials;
        }
        if (!node.isArray()) {
            throw new FormatException(file, "added_tokens is not an array");
        }
        for (int i = 0; i < node.size(); i++) {
            JsonNode token = node.get(i);
            JsonNode id = token.get("id");
            JsonNode content = token.get("content");
            if (id == null || !id.canConvertToInt() || !id.isIntegralNumber() || id.intValue() < 0 || id.intValue() > BpeModel.MAX_ID
                    || content == null || !content.isTextual()) {
                throw new FormatException(file, "added_tokens[" + i + "] is " + token
                        + ", expected an id from 0 to " + BpeModel.MAX_ID + " and a content string");
            }
            specials.put(content.asText(), id.intValue());
        }
        return specials;
    }

    /**
     * Writes {@code tokenizer} as a {@code tokenizer.json} that Hugging Face tokenizers loads,
     * atomically: a temporary file in the same folder, then a move over {@code file}.
     */
    public static void write(ByteLevelBpe tokenizer, Path file) {
        ObjectNode root = toJson(tokenizer);
        Path target = file.toAbsolutePath();
        // a plain new file (not Files.createTempFile, which is private to its owner) so the usual permissions apply
        Path temp = target.resolveSibling("." + target.getFileName() + "." + ThreadLocalRandom.current().nextLong(1L << 48) + ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                Json.MAPPER.writerWithDefaultPrettyPrinter().writeValue(out, root);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new JgptException("cannot write " + file + ": " + e, e);
        } finally {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // the write or the move has failed already; that error is the one to report
            }
        }
    }

    /** The JSON tree of a {@code tokenizer.json}, in the layout Hugging Face writes for GPT-2. */
    static ObjectNode toJson(ByteLevelBpe tokenizer) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        new TreeMap<>(invert(tokenizer.specialTokens())).forEach((id, text) -> added.addObject()
                .put("id", id)
                .put("content", text)
                .put("single_word", false)
                .put("lstrip", false)
                .put("rstrip", false)
                .put("normalized", false)
                .put("special", true));
        root.putNull("normalizer");
        root.set("pre_tokenizer", byteLevel(true));
        root.set("post_processor", byteLevel(false));
        root.set("decoder", byteLevel(true));
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.put("continuing_subword_prefix", "");
        model.put("end_of_word_suffix", "");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        ObjectNode vocab = model.putObject("vocab");
        String[] spelling = new String[tokenizer.vocabSize()];
        Map<Integer, String> specials = invert(tokenizer.specialTokens());
        for (int id = 0; id < spelling.length; id++) {
            String special = specials.get(id);
            if (special != null) {
                spelling[id] = special;
            } else if (id < tokenizer.model().tokens().size() && tokenizer.model().tokens().get(id) != null) {
                spelling[id] = ByteUnicode.encode(tokenizer.model().tokens().get(id));
            }
            if (spelling[id] != null && !vocab.has(spelling[id])) {
                vocab.put(spelling[id], id); // a special spelled like an ordinary token stays in added_tokens only
            }
        }
        ArrayNode merges = model.putArray("merges");
        for (BpeModel.Merge merge : tokenizer.model().merges()) {
            merges.add(spelling[merge.left()] + " " + spelling[merge.right()]);
        }
        return root;
    }

    private static ObjectNode byteLevel(boolean trimOffsets) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("type", "ByteLevel");
        node.put("add_prefix_space", false);
        node.put("trim_offsets", trimOffsets);
        node.put("use_regex", true);
        return node;
    }

    private static Map<Integer, String> invert(Map<String, Integer> map) {
        Map<Integer, String> inverse = new HashMap<>();
        map.forEach((text, id) -> inverse.put(id, text));
        return inverse;
    }
}
