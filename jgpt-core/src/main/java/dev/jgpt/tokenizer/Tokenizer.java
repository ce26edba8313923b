package dev.jgpt.tokenizer;

import java.util.OptionalInt;

/**
 * Text to token ids and back. Implementations are immutable and safe to share between threads.
 *
 * <p>Special tokens: {@link #encode} recognises the text of a special token (such as
 * {@code <|endoftext|>}) wherever it appears and emits its id, as Hugging Face tokenizers do;
 * {@link #encodeOrdinary} treats all text as plain text. Decoding always writes special tokens
 * out as their text, so {@code decode(encode(s)).equals(s)} for any well-formed string.
 */
public interface Tokenizer {

    /** Ids of {@code text}, special tokens written in the text recognised as their ids. */
    int[] encode(String text);

    /** Ids of {@code text} as plain text: a special token's text is split like any other text. */
    int[] encodeOrdinary(String text);

    /** The text of {@code ids}; bytes that do not form valid UTF-8 become U+FFFD. */
    default String decode(int[] ids) {
        return decode(ids, 0, ids.length);
    }

    /** The text of {@code ids[from..to)}; bytes that do not form valid UTF-8 become U+FFFD. */
    String decode(int[] ids, int from, int to);

    /** The raw bytes a token stands for (a special token: its text in UTF-8). */
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

    /** The id of the special token written {@code text}, if there is one. */
    OptionalInt specialId(String text);

    /** Whether {@code id} is a special token (matched as a whole in text, never built by merges). */
    boolean isSpecial(int id);
}
