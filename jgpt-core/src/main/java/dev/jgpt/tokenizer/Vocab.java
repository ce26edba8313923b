package dev.jgpt.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jgpt.Quoted;
import dev.jgpt.format.FormatException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/** A byte-level vocabulary as the JSON files spell it: token text (GPT-2's byte alphabet) to id. */
final class Vocab {
    private final Map<String, Integer> ids;
    private final List<byte[]> tokens;

    private Vocab(Map<String, Integer> ids, List<byte[]> tokens) {
        this.ids = ids;
        this.tokens = tokens;
    }

    /** Reads a JSON object of text to id; {@code where} names it in messages ("model.vocab", "the vocabulary"). */
    static Vocab of(JsonNode node, Path file, String where) {
        if (node == null || node.isNull()) {
            throw new FormatException(file, "missing " + where + " (a JSON object of token to id)");
        }
        if (!node.isObject()) {
            throw new FormatException(file, where + " is not a JSON object of token to id");
        }
        Map<String, Integer> ids = new HashMap<>(node.size() * 2);
        List<byte[]> tokens = new ArrayList<>(node.size());
        for (var entry : node.properties()) {
            int id = tokenId(entry.getKey(), entry.getValue(), file, where);
            while (tokens.size() <= id) {
                tokens.add(null);
            }
            if (tokens.get(id) != null) {
                throw new FormatException(file, where + " gives id " + id + " to two tokens, the second being " + Quoted.of(entry.getKey()));
            }
            tokens.set(id, ByteUnicode.decode(entry.getKey()));
            ids.put(entry.getKey(), id);
        }
        return new Vocab(ids, tokens);
    }

    /** The id {@code value} of {@code token} in the vocabulary {@code where}, checked to be an integer in range. */
    static int tokenId(String token, JsonNode value, Path file, String where) {
        if (!value.canConvertToInt() || !value.isIntegralNumber() || value.intValue() < 0 || value.intValue() > BpeModel.MAX_ID) {
            throw new FormatException(file, "token " + Quoted.of(token) + " in " + where + " has id " + Quoted.of(value.toString())
                    + ", expected an integer from 0 to " + BpeModel.MAX_ID);
        }
        return value.intValue();
    }

    /**
     * The id of the token spelled {@code text}, for a merge in {@code file}: {@code where} names
     * the merge ("line 7") and {@code vocabName} the vocabulary ("vocab.json") in the message.
     */
    int id(String text, Path file, String where, String vocabName) {
        Integer id = ids.get(text);
        if (id == null) {
            throw new FormatException(file, where + " names " + Quoted.of(text) + ", which is not in " + vocabName);
        }
        return id;
    }

    /** The id of the token spelled {@code text}, or {@code null}. */
    Integer find(String text) {
        return ids.get(text);
    }

    /** Token bytes by id, {@code null} for unused ids. */
    List<byte[]> tokens() {
        return tokens;
    }

    /**
     * Builds the tokenizer, reporting an inconsistent model against {@code file}; {@code mergeAt}
     * says where merge i (from 0) is written ("line 7", "model.merges[6]").
     */
    static ByteLevelBpe build(BpeModel model, Path file, IntFunction<String> mergeAt) {
        return build(model, ByteLevelBpe.Options.GPT2, file, mergeAt);
    }

    /** {@link #build(BpeModel, Path, IntFunction)} with {@code options}. */
    static ByteLevelBpe build(BpeModel model, ByteLevelBpe.Options options, Path file, IntFunction<String> mergeAt) {
        try {
            return new ByteLevelBpe(model, options);
        } catch (ByteLevelBpe.BadMergeException e) {
            throw new FormatException(file, mergeAt.apply(e.index()) + ": " + e.problem(), e);
        } catch (IllegalArgumentException e) {
            throw new FormatException(file, e.getMessage(), e);
        }
    }
}
