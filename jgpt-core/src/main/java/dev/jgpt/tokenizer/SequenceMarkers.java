package dev.jgpt.tokenizer;

import java.util.OptionalInt;

/**
 * The tokens that open and close a sequence, and whether a whole sequence gets them when it is
 * encoded: GGUF's {@code tokenizer.ggml.bos_token_id}, {@code eos_token_id},
 * {@code add_bos_token} and {@code add_eos_token}.
 */
public record SequenceMarkers(OptionalInt bosId, OptionalInt eosId, boolean addBos, boolean addEos) {
    /** No markers: GPT-2 as OpenAI published it. */
    public static final SequenceMarkers NONE = new SequenceMarkers(OptionalInt.empty(), OptionalInt.empty(), false, false);

    /** @throws IllegalArgumentException when a marker is to be added but has no id */
    public SequenceMarkers {
        if (addBos && bosId.isEmpty()) {
            throw new IllegalArgumentException("BOS is to be added but there is no BOS token id");
        }
        if (addEos && eosId.isEmpty()) {
            throw new IllegalArgumentException("EOS is to be added but there is no EOS token id");
        }
    }

    /** {@code ids} with BOS before and EOS after, where they are to be added. */
    int[] wrap(int[] ids) {
        if (!addBos && !addEos) {
            return ids;
        }
        int start = addBos ? 1 : 0;
        int[] out = new int[ids.length + start + (addEos ? 1 : 0)];
        System.arraycopy(ids, 0, out, start, ids.length);
        if (addBos) {
            out[0] = bosId.getAsInt();
        }
        if (addEos) {
            out[out.length - 1] = eosId.getAsInt();
        }
        return out;
    }
}
