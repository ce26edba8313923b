package dev.jgpt.tokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** GPT-2's tokenizer from jtokkit's bundled r50k_base ranks: needs no shared data, so tests using it always run. */
final class R50k {
    private static ByteLevelBpe tokenizer;

    private R50k() {}

    static synchronized ByteLevelBpe tokenizer() {
        if (tokenizer == null) {
            try (InputStream in = R50k.class.getResourceAsStream("/com/knuddels/jtokkit/r50k_base.tiktoken")) {
                if (in == null) {
                    throw new IllegalStateException("jtokkit's r50k_base.tiktoken resource is missing from the test classpath");
                }
                tokenizer = Gpt2Tokenizers.fromTiktokenResource(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return tokenizer;
    }
}
