package dev.jgpt.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jgpt.Quoted;
import dev.jgpt.format.FormatException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A character-level {@code tokenizer.json} in terms Hugging Face already has: a BPE model whose
 * vocab is the characters and whose merges are none, no normalizer, no pre-tokenizer (the text
 * is one word, split into characters), and the Fuse decoder (tokens joined as they are; without
 * a decoder Hugging Face would put a space between them). Hugging Face drops a character that
 * is not in the vocabulary, where jgpt refuses to encode it.
 */
final class CharTokenizerJson {
    private CharTokenizerJson() {}

    static ObjectNode toJson(CharTokenizer tokenizer) {
        ObjectNode fuse = Json.MAPPER.createObjectNode().put("type", "Fuse");
        ObjectNode root = TokenizerJson.root(NullNode.getInstance(), NullNode.getInstance(), NullNode.getInstance(), fuse);
        ObjectNode model = TokenizerJson.bpeModel(root);
        ObjectNode vocab = model.putObject("vocab");
        for (int id = 0; id < tokenizer.vocabSize(); id++) {
            vocab.put(tokenizer.piece(id), id);
        }
        model.putArray("merges");
        return root;
    }

    /** The tokenizer of a file without pre-tokenizer, whose normalizer and model options are already checked. */
    static CharTokenizer read(JsonNode root, JsonNode model, Path file) {
        JsonNode decoder = root.path("decoder").path("type");
        if (!decoder.asText().equals("Fuse")) {
            throw new FormatException(file, "no pre_tokenizer, which jgpt reads as character-level, but decoder is "
                    + (decoder.isMissingNode() ? "none" : Quoted.of(decoder.asText()))
                    + " where character-level needs Fuse");
        }
        JsonNode merges = model.get("merges");
        if (merges != null && !merges.isNull() && !merges.isEmpty()) {
            throw new FormatException(file, "no pre_tokenizer, which jgpt reads as character-level, but model.merges has "
                    + merges.size() + " entries where character-level has none");
        }
        JsonNode unknown = model.get("unk_token");
        if (unknown != null && !unknown.isNull()) {
            throw new FormatException(file, "model.unk_token " + Quoted.of(unknown.toString()) + " is not supported (expected null)");
        }
        if (model.path("byte_fallback").asBoolean(false)) {
            throw new FormatException(file, "model.byte_fallback true is not supported for a character-level tokenizer");
        }
        JsonNode added = root.get("added_tokens");
        if (added != null && !added.isNull() && !added.isEmpty()) {
            throw new FormatException(file, "added_tokens are not supported for a character-level tokenizer (found " + added.size() + ")");
        }
        JsonNode post = root.get("post_processor");
        if (post != null && !post.isNull()) {
            throw new FormatException(file, "post_processor " + Quoted.of(post.path("type").asText("?")) + " is not supported for a character-level tokenizer");
        }
        try {
            return CharTokenizer.of(characters(model.get("vocab"), file));
        } catch (IllegalArgumentException e) {
            throw new FormatException(file, "model.vocab: " + e.getMessage(), e);
        }
    }

    /** The code point of each id, from a vocab of one character per token with ids 0 to n - 1. */
    private static int[] characters(JsonNode vocab, Path file) {
        if (vocab == null || !vocab.isObject() || vocab.isEmpty()) {
            throw new FormatException(file, "missing model.vocab (a JSON object of character to id)");
        }
        int[] codePoints = new int[vocab.size()];
        Arrays.fill(codePoints, -1);
        for (var entry : vocab.properties()) {
            String token = entry.getKey();
            int id = Vocab.tokenId(token, entry.getValue(), file, "model.vocab");
            if (token.codePointCount(0, token.length()) != 1) {
                throw new FormatException(file, "model.vocab has token " + Quoted.of(token) + ", but a character-level vocabulary has one character per token");
            }
            if (id >= codePoints.length || codePoints[id] >= 0) {
                throw new FormatException(file, "model.vocab gives id " + id + " to " + Quoted.of(token) + ", expected each id from 0 to "
                        + (codePoints.length - 1) + " once");
            }
            codePoints[id] = token.codePointAt(0);
        }
        return codePoints;
    }
}
