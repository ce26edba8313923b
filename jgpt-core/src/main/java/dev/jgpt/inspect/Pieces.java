package dev.jgpt.inspect;

import dev.jgpt.tokenizer.Tokenizer;

/** Readable names of token ids. */
public final class Pieces {
    private Pieces() {}

    /**
     * {@link Tokenizer#piece} of {@code id}, or {@code <unused N>} for an id the model has a row
     * for but the tokenizer never produces (a vocabulary padded to a round size).
     */
    public static String of(Tokenizer tokenizer, int id) {
        return id < tokenizer.vocabSize() ? tokenizer.piece(id) : "<unused " + id + ">";
    }
}
