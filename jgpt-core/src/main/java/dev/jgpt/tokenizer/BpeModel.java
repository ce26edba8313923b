package dev.jgpt.tokenizer;

import java.util.List;
import java.util.Map;

/**
 * The plain data of a byte-level BPE tokenizer, as files describe it.
 *
 * @param tokens   the bytes of each token, indexed by id ({@code null} where an id is unused;
 *                 a special token's entry is ignored, its text is its bytes)
 * @param merges   merges in priority order: the first one applies first
 * @param specials special tokens: text to id
 */
public record BpeModel(List<byte[]> tokens, List<Merge> merges, Map<String, Integer> specials) {
    /** Ids at or above this are refused, so that a corrupt file cannot make jgpt allocate gigabytes. */
    public static final int MAX_ID = (1 << 24) - 1;

    /** Two tokens that BPE joins into the token spelling their concatenated bytes. */
    public record Merge(int left, int right) {}

    public BpeModel {
        tokens = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(tokens));
        merges = List.copyOf(merges);
        specials = Map.copyOf(specials);
    }
}
