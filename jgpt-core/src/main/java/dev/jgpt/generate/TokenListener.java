package dev.jgpt.generate;

import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Hears each token as it is sampled, with the text that became safe to show because of it, and
 * may stop generation. {@link #of(Consumer, BooleanSupplier)} makes one from a text consumer and
 * a cancel flag:
 * <pre>{@code
 * AtomicBoolean stop = new AtomicBoolean(); // set it from any thread to stop after the next token
 * Generation g = model.generate("Once upon a time", settings, TokenListener.of(System.out::print, stop::get));
 * }</pre>
 */
@FunctionalInterface
public interface TokenListener {
    /**
     * Called once per new token, on the generating thread.
     *
     * @param id   the new token
     * @param text new complete text; empty while a UTF-8 character or a possible stop string is
     *             still incomplete
     */
    void onToken(int id, String text);

    /**
     * Asked as each new token is sampled, before it is handed to {@link #onToken}: {@code true}
     * ends generation after that token with {@link FinishReason#CANCELLED}, the text so far kept.
     * May be answered from another thread's flag (a Ctrl-C handler, say).
     *
     * @return whether to stop
     */
    default boolean cancelled() {
        return false;
    }

    /** A listener that hears nothing and never cancels. */
    TokenListener NONE = (id, text) -> { };

    /**
     * A listener that hands each piece of new text to {@code text} (pieces that are empty are not handed on).
     *
     * @param text receives the text as it becomes safe to show
     * @return the listener
     */
    static TokenListener of(Consumer<String> text) {
        return of(text, () -> false);
    }

    /**
     * A listener that hands each piece of new text to {@code text} and stops generation, after
     * the token being sampled, once {@code cancelled} says so.
     *
     * @param text      receives the text as it becomes safe to show
     * @param cancelled asked once per token, from the generating thread
     * @return the listener
     */
    static TokenListener of(Consumer<String> text, BooleanSupplier cancelled) {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(cancelled, "cancelled");
        return new TokenListener() {
            @Override
            public void onToken(int id, String piece) {
                if (!piece.isEmpty()) {
                    text.accept(piece);
                }
            }

            @Override
            public boolean cancelled() {
                return cancelled.getAsBoolean();
            }
        };
    }
}
