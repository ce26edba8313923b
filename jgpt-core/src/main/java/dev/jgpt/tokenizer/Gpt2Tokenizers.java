package dev.jgpt.tokenizer;

import java.io.InputStream;
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
}
