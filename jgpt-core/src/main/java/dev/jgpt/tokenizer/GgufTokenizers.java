package dev.jgpt.tokenizer;

import static dev.jgpt.tokenizer.GgufVocabulary.*;

import dev.jgpt.Quoted;
import dev.jgpt.format.FormatException;
import dev.jgpt.format.GgufMetadata;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Tokenizers from GGUF metadata, with llama.cpp's defaults for what a file leaves out.
 *
 * <ul>
 *   <li>{@code llama}: {@link SentencePieceBpe}; BOS 1, EOS 2, unknown 0, BOS added, dummy space prefix.
 *   <li>{@code gpt2}: {@link ByteLevelBpe} with the pre-tokenizer {@code tokenizer.ggml.pre} names
 *       (one of {@link PreTokenizer}; any other is an error, as is none); BOS added for
 *       {@code llama-bpe} only. Control, user-defined and unknown tokens are special tokens
 *       (matched whole in text by {@link Tokenizer#encode}); control and unknown ones decode to nothing.
 * </ul>
 *
 * <p>Unlike llama.cpp, {@link Tokenizer#encodeOrdinary} splits user-defined tokens' text like any
 * other text (llama.cpp matches them whole always); the two agree wherever a text holds none.
 */
public final class GgufTokenizers {
    /** The values of {@code tokenizer.ggml.model} jgpt reads. */
    public static final List<String> MODELS = List.of("llama", "gpt2");

    private GgufTokenizers() {}

    /** The tokenizer of a GGUF file's metadata; see {@link #build}. */
    public static Tokenizer load(GgufMetadata metadata) {
        return build(vocabulary(metadata), metadata.file());
    }

    /** The {@code tokenizer.ggml.*} values of a GGUF file's metadata (a value of the wrong type is a {@link FormatException}). */
    public static GgufVocabulary vocabulary(GgufMetadata m) {
        return new GgufVocabulary(m.getString(MODEL), m.optionalString(PRE), m.getStringArray(TOKENS),
                m.optionalFloatArray(SCORES), m.optionalIntArray(TOKEN_TYPE), m.optionalStringArray(MERGES),
                m.optionalInt(BOS_ID), m.optionalInt(EOS_ID), m.optionalInt(UNKNOWN_ID),
                m.optionalBoolean(ADD_BOS), m.optionalBoolean(ADD_EOS), m.optionalBoolean(ADD_SPACE_PREFIX));
    }

    /**
     * The tokenizer {@code vocabulary} describes; {@code file} is named in errors.
     *
     * @throws FormatException naming the key at fault: an unknown model or pre-tokenizer, arrays
     *     of the wrong length, an id outside the vocabulary, a merge of unknown tokens
     */
    public static Tokenizer build(GgufVocabulary vocabulary, Path file) {
        int n = vocabulary.tokens().size();
        if (n == 0 || n > BpeModel.MAX_ID + 1) {
            throw new FormatException(file, TOKENS + " has " + n + " tokens, expected 1 to " + (BpeModel.MAX_ID + 1));
        }
        List<TokenType> types = types(vocabulary, file);
        return switch (vocabulary.model()) {
            case "llama" -> sentencePiece(vocabulary, types, file);
            case "gpt2" -> byteLevel(vocabulary, types, file);
            default -> throw new FormatException(file, MODEL + " is " + Quoted.of(vocabulary.model()) + ", supported: " + String.join(", ", MODELS));
        };
    }

    private static SentencePieceBpe sentencePiece(GgufVocabulary v, List<TokenType> types, Path file) {
        int n = v.tokens().size();
        float[] scores = v.scores().orElseGet(() -> new float[n]);
        if (scores.length != n) {
            throw new FormatException(file, SCORES + " has " + scores.length + " entries for " + n + " tokens");
        }
        OptionalInt bos = id(v.bosId(), BOS_ID, 1, n, file);
        OptionalInt eos = id(v.eosId(), EOS_ID, 2, n, file);
        OptionalInt unknown = id(v.unknownId(), UNKNOWN_ID, 0, n, file);
        SequenceMarkers markers = markers(bos, eos, v.addBos().orElse(true), v.addEos().orElse(false), file);
        try {
            return new SentencePieceBpe(new SentencePieceModel(v.tokens(), scores, types, markers, unknown, v.addSpacePrefix().orElse(true)));
        } catch (IllegalArgumentException e) {
            throw new FormatException(file, e.getMessage(), e);
        }
    }

    private static ByteLevelBpe byteLevel(GgufVocabulary v, List<TokenType> types, Path file) {
        String preName = v.pre().orElseThrow(() -> new FormatException(file, "no " + PRE + " (expected one of " + preNames() + ")"));
        if (PreTokenizer.RAW_UTF8_NAMES.contains(preName)) {
            throw new FormatException(file, PRE + " is " + Quoted.of(preName) + ", a BPE over raw UTF-8 that jgpt does not read");
        }
        PreTokenizer pre = PreTokenizer.ofGgufName(preName).orElseThrow(() -> new FormatException(file,
                PRE + " is " + Quoted.of(preName) + ", which jgpt does not know; known: " + preNames()));
        List<String> mergeList = v.merges().orElseThrow(() -> new FormatException(file, "no " + MERGES + " (a byte-level vocabulary needs its merges)"));
        int n = v.tokens().size();
        List<byte[]> tokens = new ArrayList<>(n);
        Map<String, Integer> specials = new HashMap<>();
        Set<Integer> silent = new HashSet<>();
        Map<String, Integer> ordinary = new HashMap<>(n * 2);
        for (int id = 0; id < n; id++) {
            String text = v.tokens().get(id);
            TokenType type = types.get(id);
            if (type.isSpecial() && !text.isEmpty()) {
                tokens.add(null);
                specials.put(text, id);
                if (type.isSilent()) {
                    silent.add(id);
                }
            } else {
                tokens.add(ByteUnicode.decode(text));
                ordinary.putIfAbsent(text, id);
            }
        }
        List<BpeModel.Merge> merges = new ArrayList<>(mergeList.size());
        for (int i = 0; i < mergeList.size(); i++) {
            merges.add(merge(mergeList.get(i), i, ordinary, file));
        }
        OptionalInt bos = id(v.bosId(), BOS_ID, -1, n, file);
        OptionalInt eos = id(v.eosId(), EOS_ID, -1, n, file);
        SequenceMarkers markers = markers(bos, eos, v.addBos().orElse(pre.addsBos()), v.addEos().orElse(false), file);
        ByteLevelBpe.Options options = new ByteLevelBpe.Options(pre, pre.ignoresMerges(), markers, silent);
        return Vocab.build(new BpeModel(tokens, merges, specials), options, file, i -> MERGES + "[" + i + "]");
    }

    /** A merge "left right": split at the first space after the first character, as llama.cpp does. */
    private static BpeModel.Merge merge(String merge, int index, Map<String, Integer> ordinary, Path file) {
        int space = merge.indexOf(' ', 1);
        if (space < 0) {
            throw new FormatException(file, MERGES + "[" + index + "] is " + Quoted.of(merge) + ", expected two tokens separated by a space");
        }
        String left = merge.substring(0, space);
        String right = merge.substring(space + 1);
        for (String half : List.of(left, right)) {
            if (!ordinary.containsKey(half)) {
                throw new FormatException(file, MERGES + "[" + index + "] " + Quoted.of(merge) + " names " + Quoted.of(half) + ", which is not an ordinary token of " + TOKENS);
            }
        }
        return new BpeModel.Merge(ordinary.get(left), ordinary.get(right));
    }

    /** The token types, all normal when the file has none (as llama.cpp reads it). */
    private static List<TokenType> types(GgufVocabulary v, Path file) {
        int n = v.tokens().size();
        if (v.types().isEmpty()) {
            return Collections.nCopies(n, TokenType.NORMAL);
        }
        int[] codes = v.types().get();
        if (codes.length != n) {
            throw new FormatException(file, TOKEN_TYPE + " has " + codes.length + " entries for " + n + " tokens");
        }
        return Arrays.stream(codes).mapToObj(TokenType::of).toList();
    }

    /** The id under {@code key}, checked against the vocabulary, else {@code fallback} (none when negative or outside). */
    private static OptionalInt id(OptionalInt value, String key, int fallback, int vocabSize, Path file) {
        if (value.isPresent()) {
            int id = value.getAsInt();
            if (id < 0 || id >= vocabSize) {
                throw new FormatException(file, key + " is " + Integer.toUnsignedString(id) + ", expected a token id from 0 to " + (vocabSize - 1));
            }
            return value;
        }
        return fallback >= 0 && fallback < vocabSize ? OptionalInt.of(fallback) : OptionalInt.empty();
    }

    private static SequenceMarkers markers(OptionalInt bos, OptionalInt eos, boolean addBos, boolean addEos, Path file) {
        if (addBos && bos.isEmpty()) {
            throw new FormatException(file, "BOS is to be added (" + ADD_BOS + ") but there is no " + BOS_ID);
        }
        if (addEos && eos.isEmpty()) {
            throw new FormatException(file, "EOS is to be added (" + ADD_EOS + ") but there is no " + EOS_ID);
        }
        return new SequenceMarkers(bos, eos, addBos, addEos);
    }

    private static String preNames() {
        return Arrays.stream(PreTokenizer.values()).flatMap(p -> p.ggufNames().stream()).collect(Collectors.joining(", "));
    }
}
