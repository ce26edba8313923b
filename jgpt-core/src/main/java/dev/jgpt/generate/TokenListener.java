package dev.jgpt.generate;

/** Hears each token as it is sampled, with the text that became safe to show because of it. */
@FunctionalInterface
public interface TokenListener {
    /**
     * @param id   the new token
     * @param text new complete text; empty while a UTF-8 character or a possible stop string is
     *             still incomplete
     */
    void onToken(int id, String text);

    TokenListener NONE = (id, text) -> { };
}
