package dev.jgpt;

/**
 * The one exception type jgpt throws for anything a user can fix: a bad file, a bad setting,
 * a prompt that does not fit. Its message names what is wrong and where, in one line.
 */
public class JgptException extends RuntimeException {
    /**
     * An exception whose message a person reads.
     *
     * @param message one line naming what is wrong and where
     */
    public JgptException(String message) {
        super(message);
    }

    /**
     * An exception whose message a person reads, caused by a lower-level failure.
     *
     * @param message one line naming what is wrong and where
     * @param cause   the failure that led to it, kept for debugging
     */
    public JgptException(String message, Throwable cause) {
        super(message, cause);
    }
}
