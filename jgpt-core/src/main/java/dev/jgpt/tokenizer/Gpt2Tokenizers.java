package dev.jgpt.tokenizer;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** GPT-2's own tokenizer from ready-made sources. */
public final class Gpt2Tokenizers {
    /** GPT-2's id of {@code <|endoftext|>}, its only special token. */
    public static final int END_OF_TEXT_ID = 50256;

    private Gpt2Tokenizers() {}

    /**
     * GPT-2's tokenizer from tiktoken's {@code r50k_base.tiktoken} ranks (which are GPT-2's
     * ids), with {@code <|endoftext|>} = 50256. The caller opens the stream, e.g. from the
     * resource {@code com/knuddels/jtokkit/r50k_base.tiktoken} of jtokkit, and closes it.
     */
    public static ByteLevelBpe fromTiktokenResource(InputStream r50kBase) {
        return TokenizerLoader.fromTiktoken(r50kBase, "r50k_base.tiktoken", Map.of(ByteLevelBpe.END_OF_TEXT, END_OF_TEXT_ID));
    }

    /**
     * GPT-2's tokenizer cut to {@code vocabSize} ids, for models with a smaller vocabulary: ids
     * 0 to vocabSize − 2 are GPT-2's first tokens with the merges among them, and the last id is
     * {@code <|endoftext|>} (GPT-2's 50256 lies outside). Every byte keeps its token (GPT-2's ids
     * 0-255), so any text still encodes; a merge survives when its two parts and its result are
     * kept. GPT-2 makes each token from two of lower id, so this is GPT-2's merging stopped early:
     * a text whose GPT-2 tokens are all below vocabSize − 1 encodes to the same ids.
     *
     * @param gpt2 GPT-2's tokenizer ({@link #fromTiktokenResource})
     * @throws IllegalArgumentException when {@code vocabSize} leaves no room for every byte and
     *     the end-of-text token, or exceeds GPT-2's vocabulary
     */
    public static ByteLevelBpe firstTokens(ByteLevelBpe gpt2, int vocabSize) {
        BpeModel full = gpt2.model();
        if (vocabSize < 257 || vocabSize > gpt2.vocabSize()) {
            throw new IllegalArgumentException("a cut of GPT-2's tokenizer has 257 (every byte and <|endoftext|>) to "
                    + gpt2.vocabSize() + " tokens, not " + vocabSize);
        }
        int endOfText = vocabSize - 1;
        List<byte[]> tokens = new ArrayList<>(full.tokens().subList(0, endOfText));
        tokens.add(null);
        Map<String, Integer> ids = new HashMap<>(vocabSize * 2);
        for (int id = 0; id < endOfText; id++) {
            if (tokens.get(id) != null && !gpt2.isSpecial(id)) {
                ids.putIfAbsent(latin1(tokens.get(id)), id);
            }
        }
        List<BpeModel.Merge> merges = new ArrayList<>();
        for (BpeModel.Merge m : full.merges()) {
            if (m.left() < endOfText && m.right() < endOfText && tokens.get(m.left()) != null && tokens.get(m.right()) != null
                    && ids.containsKey(joined(tokens, m))) {
                merges.add(m);
            }
        }
        return new ByteLevelBpe(new BpeModel(tokens, merges, Map.of(ByteLevelBpe.END_OF_TEXT, endOfText)));
    }

    private static String joined(List<byte[]> tokens, BpeModel.Merge m) {
        byte[] left = tokens.get(m.left());
        byte[] right = tokens.get(m.right());
        byte[] both = Arrays.copyOf(left, left.length + right.length);
        System.arraycopy(right, 0, both, left.length, right.length);
        return latin1(both);
    }

    private static String latin1(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }
}
