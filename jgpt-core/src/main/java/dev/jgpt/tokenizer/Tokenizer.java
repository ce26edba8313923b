package dev.jgpt.tokenizer;

import java.util.OptionalInt;

/**
 * Text to token ids and back. Implementations are immutable and safe to share between threads.
 *
 * <p>Special tokens: {@link #encode} recognises the text of a special token (such as
 * {@code <|endoftext|>}) wherever it appears and emits its id, as Hugging Face tokenizers do;
 * {@link #encodeOrdinary} treats all text as plain text. Decoding writes special tokens out as
 * their text, so {@code decode(encode(s)).equals(s)} for any well-formed string; vocabularies
 * from GGUF files follow llama.cpp instead: their control tokens decode to nothing, and a
 * SentencePiece vocabulary drops the space it put before the text (see {@link SentencePieceBpe}).
 *
 * <p>Sequences: {@link #encode} gives the ids of the text only; {@link #encodeSequence} adds the
 * BOS (and EOS) tokens the model expects around a whole sequence, such as a prompt.
 */
public interface Tokenizer {

    /** Ids of {@code text}, special tokens written in the text recognised as their ids. */
    int[] encode(String text);

    /** Ids of {@code text} as plain text: a special token's text is split like any other text. */
    int[] encodeOrdinary(String text);

    /**
     * Ids of {@code text} as a whole sequence (a prompt, a text to score): {@link #encode}, after
     * BOS and before EOS where the vocabulary asks for them (Llama: BOS; GPT-2: nothing).
     */
    default int[] encodeSequence(String text) {
        return encode(text);
    }

    /** The text of {@code ids}; bytes that do not form valid UTF-8 become U+FFFD. */
    default String decode(int[] ids) {
        return decode(ids, 0, ids.length);
    }

    /** The text of {@code ids[from..to)}; bytes that do not form valid UTF-8 become U+FFFD. */
    String decode(int[] ids, int from, int to);

    /**
     * The raw bytes a token stands for, as printed when it is generated (a special token: its
     * text in UTF-8; a GGUF control token: nothing).
     */
    byte[] tokenBytes(int id);

    /**
     * A human-readable form of one token: its text when its bytes are whole UTF-8, with bytes
     * that are not (part of a character cut between tokens) shown as {@code <0xE2>}.
     */
    String piece(int id);

    /** One more than the largest id; ids run from 0 to {@code vocabSize() - 1}. */
    int vocabSize();

    /** The end-of-text token, when this vocabulary has one. */
    OptionalInt eosId();

    /** The beginning-of-sequence token, when this vocabulary has one. */
    default OptionalInt bosId() {
        return OptionalInt.empty();
    }

    /** Whether a sequence starts with {@link #bosId()}, as the model saw in training ({@link #encodeSequence} adds it). */
    default boolean addsBos() {
        return false;
    }

    /** The id of the special token written {@code text}, if there is one. */
    OptionalInt specialId(String text);

    /** Whether {@code id} is a special token (matched as a whole in text, never built by merges). */
    boolean isSpecial(int id);
}
