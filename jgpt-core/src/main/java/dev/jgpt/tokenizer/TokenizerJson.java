package dev.jgpt.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.jgpt.Quoted;
import dev.jgpt.format.AtomicFiles;
import dev.jgpt.format.FormatException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Hugging Face's {@code tokenizer.json}, in two layouts: byte-level BPE (a BPE model of vocab and
 * merges, the ByteLevel pre-tokenizer and decoder, and added tokens, which jgpt treats as
 * special tokens), and character-level (see {@link CharTokenizerJson}).
 */
public final class TokenizerJson {
    private TokenizerJson() {}

    /**
     * Reads a {@code tokenizer.json}: a file without pre-tokenizer is character-level and gives a
     * {@link CharTokenizer}, else it must be byte-level BPE and gives a {@link ByteLevelBpe}. In a
     * byte-level file every added token is recognised in text as its id, as Hugging Face does for
     * added tokens. Settings that would change the result and that jgpt does not implement (a
     * normalizer, a prefix space, a non-ByteLevel pre-tokenizer, subword prefixes) are refused
     * rather than ignored.
     */
    public static Tokenizer read(Path file) {
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
            throw new FormatException(file, "model.type is " + Quoted.of(type) + ", only BPE is supported");
        }
        checkNormalizerAndModel(root, model, file);
        JsonNode pre = root.get("pre_tokenizer");
        if (pre == null || pre.isNull()) {
            return CharTokenizerJson.read(root, model, file);
        }
        checkByteLevel(pre, file);
        Vocab vocab = Vocab.of(model.get("vocab"), file, "model.vocab");
        List<BpeModel.Merge> merges = merges(model.get("merges"), vocab, file);
        Map<String, Integer> specials = addedTokens(root.get("added_tokens"), file);
        return Vocab.build(new BpeModel(vocab.tokens(), merges, specials), file, i -> "model.merges[" + i + "]");
    }

    /** Settings of either layout that jgpt does not implement. */
    private static void checkNormalizerAndModel(JsonNode root, JsonNode model, Path file) {
        JsonNode normalizer = root.get("normalizer");
        if (normalizer != null && !normalizer.isNull()) {
            throw new FormatException(file, "normalizer " + Quoted.of(normalizer.path("type").asText("?")) + " is not supported (expected null)");
        }
        for (String field : List.of("continuing_subword_prefix", "end_of_word_suffix")) {
            if (!model.path(field).asText("").isEmpty()) {
                throw new FormatException(file, "model." + field + " " + Quoted.of(model.get(field).asText()) + " is not supported");
            }
        }
        if (model.path("ignore_merges").asBoolean(false)) {
            throw new FormatException(file, "model.ignore_merges true is not supported");
        }
        if (model.path("dropout").asDouble(0) > 0) {
            throw new FormatException(file, "model.dropout " + Quoted.of(model.get("dropout").toString()) + " is not supported (expected null)");
        }
    }

    private static void checkByteLevel(JsonNode pre, Path file) {
        if (!pre.path("type").asText().equals("ByteLevel")) {
            throw new FormatException(file, "pre_tokenizer is " + Quoted.of(pre.path("type").asText("?"))
                    + ", only ByteLevel (GPT-2's) or none (character-level) is supported");
        }
        if (pre.path("add_prefix_space").asBoolean(false)) {
            throw new FormatException(file, "pre_tokenizer.add_prefix_space true is not supported");
        }
        if (!pre.path("use_regex").asBoolean(true)) {
            throw new FormatException(file, "pre_tokenizer.use_regex false is not supported");
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
                throw new FormatException(file, where + " is " + Quoted.of(merge.toString()) + ", expected \"left right\" or [\"left\", \"right\"]");
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
                throw new FormatException(file, "added_tokens[" + i + "] is " + Quoted.of(token.toString())
                        + ", expected an id from 0 to " + BpeModel.MAX_ID + " and a content string");
            }
            specials.put(content.asText(), id.intValue());
        }
        return specials;
    }

    /**
     * Writes {@code tokenizer} (a {@link ByteLevelBpe} or a {@link CharTokenizer}) as a
     * {@code tokenizer.json} that Hugging Face tokenizers loads, atomically (see {@link AtomicFiles}).
     *
     * @throws IllegalArgumentException for another kind of tokenizer, or a byte-level one with
     *     other options than GPT-2's (the layout written is GPT-2's)
     */
    public static void write(Tokenizer tokenizer, Path file) {
        if (tokenizer instanceof ByteLevelBpe bpe && !bpe.options().equals(ByteLevelBpe.Options.GPT2)) {
            throw new IllegalArgumentException("tokenizer.json is written in GPT-2's layout only; this tokenizer has " + bpe.options());
        }
        ObjectNode root = switch (tokenizer) {
            case ByteLevelBpe bpe -> toJson(bpe);
            case CharTokenizer chars -> CharTokenizerJson.toJson(chars);
            default -> throw new IllegalArgumentException("no tokenizer.json layout for " + tokenizer.getClass().getName());
        };
        // through a String: Jackson's own UTF-8 output splits a character beyond U+FFFF in a key into two surrogates, which is not UTF-8
        AtomicFiles.write(file, temporary -> Files.writeString(temporary, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root)));
    }

    /** The start of every {@code tokenizer.json}: no truncation, no padding, and the given layout. */
    static ObjectNode root(JsonNode normalizer, JsonNode preTokenizer, JsonNode postProcessor, JsonNode decoder) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        root.putArray("added_tokens");
        root.set("normalizer", normalizer);
        root.set("pre_tokenizer", preTokenizer);
        root.set("post_processor", postProcessor);
        root.set("decoder", decoder);
        return root;
    }

    /** A BPE model node with Hugging Face's defaults, vocab and merges left to fill. */
    static ObjectNode bpeModel(ObjectNode root) {
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.put("continuing_subword_prefix", "");
        model.put("end_of_word_suffix", "");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        return model;
    }

    /** The JSON tree of a {@code tokenizer.json}, in the layout Hugging Face writes for GPT-2. */
    static ObjectNode toJson(ByteLevelBpe tokenizer) {
        ObjectNode root = root(NullNode.getInstance(), byteLevel(true), byteLevel(false), byteLevel(true));
        ArrayNode added = root.withArray("/added_tokens");
        new TreeMap<>(invert(tokenizer.specialTokens())).forEach((id, text) -> added.addObject()
                .put("id", id)
                .put("content", text)
                .put("single_word", false)
                .put("lstrip", false)
                .put("rstrip", false)
                .put("normalized", false)
                .put("special", true));
        ObjectNode model = bpeModel(root);
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
