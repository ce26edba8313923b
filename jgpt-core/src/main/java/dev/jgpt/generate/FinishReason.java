package dev.jgpt.generate;

/** Why generation ended. */
public enum FinishReason {
    /** The model wrote its end-of-text token, or the text reached a stop string. */
    STOP("stop"),
    /** The requested number of new tokens was written. */
    LENGTH("length"),
    /** The context window is full (and the policy is to stop there). */
    CONTEXT_FULL("context_full"),
    /** The listener asked to stop ({@link TokenListener#cancelled()}). */
    CANCELLED("cancelled");

    private final String wireName;

    FinishReason(String wireName) {
        this.wireName = wireName;
    }

    /**
     * The name used in JSON output.
     *
     * @return the lower-case name, such as {@code "stop"} or {@code "context_full"}
     */
    public String wireName() {
        return wireName;
    }
}
