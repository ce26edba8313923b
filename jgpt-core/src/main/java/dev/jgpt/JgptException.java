package dev.jgpt;

/**
 * The one exception type jgpt throws for anything a user can fix: a bad file, a bad setting,
 * a prompt that does not fit. Its message names what is wrong and where, in one line.
 */
public class JgptException extends RuntimeException {
    public JgptException(String message) {
        super(message);
    }

    public JgptException(String message, Throwable cause) {
        super(message, cause);
    }
}
