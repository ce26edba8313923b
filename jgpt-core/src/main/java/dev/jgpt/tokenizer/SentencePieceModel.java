package dev.jgpt.tokenizer;

import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * The plain data of a SentencePiece-style BPE vocabulary (Llama 2's), as a GGUF file holds it.
 *
 * @param pieces         each token's text, spaces written {@code ▁} (U+2581), bytes {@code <0xNN>}
 * @param scores         each token's score: of two pairs that could merge, the one making the higher-scored token goes first
 * @param types          each token's type
 * @param markers        BOS/EOS
 * @param unknownId      the token for a byte the vocabulary has no {@code <0xNN>} for
 * @param addSpacePrefix whether a space is put before the text (and before text after a special token), as SentencePiece's dummy prefix
 */
public record SentencePieceModel(
        List<String> pieces, float[] scores, List<TokenType> types, SequenceMarkers markers, OptionalInt unknownId, boolean addSpacePrefix) {

    /** @throws IllegalArgumentException when the lists differ in length */
    public SentencePieceModel {
        pieces = List.copyOf(pieces);
        scores = scores.clone();
        types = List.copyOf(types);
        Objects.requireNonNull(markers, "markers");
        Objects.requireNonNull(unknownId, "unknownId");
        if (scores.length != pieces.size() || types.size() != pieces.size()) {
            throw new IllegalArgumentException("expected as many scores and token types as tokens (" + pieces.size()
                    + "), got " + scores.length + " scores and " + types.size() + " types");
        }
    }

    @Override
    public float[] scores() {
        return scores.clone();
    }
}
