package dev.jgpt.tokenizer;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The tokenizer metadata of a GGUF file (its {@code tokenizer.ggml.*} keys) as plain values, an
 * absent key as an empty value. {@link GgufTokenizers#build} turns it into a tokenizer.
 *
 * @param model          {@code tokenizer.ggml.model}: "llama" (SentencePiece-style BPE) or "gpt2" (byte-level BPE)
 * @param pre            {@code tokenizer.ggml.pre}: the byte-level pre-tokenizer ("gpt-2", "llama-bpe", "qwen2")
 * @param tokens         {@code tokenizer.ggml.tokens}: each token's text, by id
 * @param scores         {@code tokenizer.ggml.scores}: SentencePiece's merge priorities, by id
 * @param types          {@code tokenizer.ggml.token_type}: codes of {@link TokenType}, by id
 * @param merges         {@code tokenizer.ggml.merges}: byte-level merges "left right", highest priority first
 * @param bosId          {@code tokenizer.ggml.bos_token_id}
 * @param eosId          {@code tokenizer.ggml.eos_token_id}
 * @param unknownId      {@code tokenizer.ggml.unknown_token_id}
 * @param addBos         {@code tokenizer.ggml.add_bos_token}
 * @param addEos         {@code tokenizer.ggml.add_eos_token}
 * @param addSpacePrefix {@code tokenizer.ggml.add_space_prefix}
 */
public record GgufVocabulary(
        String model,
        Optional<String> pre,
        List<String> tokens,
        Optional<float[]> scores,
        Optional<int[]> types,
        Optional<List<String>> merges,
        OptionalInt bosId,
        OptionalInt eosId,
        OptionalInt unknownId,
        Optional<Boolean> addBos,
        Optional<Boolean> addEos,
        Optional<Boolean> addSpacePrefix) {

    public static final String PREFIX = "tokenizer.ggml.";
    public static final String MODEL = PREFIX + "model";
    public static final String PRE = PREFIX + "pre";
    public static final String TOKENS = PREFIX + "tokens";
    public static final String SCORES = PREFIX + "scores";
    public static final String TOKEN_TYPE = PREFIX + "token_type";
    public static final String MERGES = PREFIX + "merges";
    public static final String BOS_ID = PREFIX + "bos_token_id";
    public static final String EOS_ID = PREFIX + "eos_token_id";
    public static final String UNKNOWN_ID = PREFIX + "unknown_token_id";
    public static final String ADD_BOS = PREFIX + "add_bos_token";
    public static final String ADD_EOS = PREFIX + "add_eos_token";
    public static final String ADD_SPACE_PREFIX = PREFIX + "add_space_prefix";

    public GgufVocabulary {
        Objects.requireNonNull(model, "model");
        tokens = List.copyOf(tokens);
        merges = merges.map(List::copyOf);
        scores = scores.map(float[]::clone);
        types = types.map(int[]::clone);
    }
}
