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

    /**
     * Asked as each new token is sampled, before it is handed to {@link #onToken}: {@code true}
     * ends generation after that token with {@link FinishReason#CANCELLED}, the text so far kept.
     * May be answered from another thread's flag (a Ctrl-C handler, say).
     */
    default boolean cancelled() {
        return false;
    }

    TokenListener NONE = (id, text) -> { };
}
