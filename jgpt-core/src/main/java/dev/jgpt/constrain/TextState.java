package dev.jgpt.constrain;

/**
 * Where a text stands in a language (a JSON schema's documents, a grammar's sentences): a state
 * of a character-level automaton, fed one Unicode code point at a time. A state never changes
 * what it answers; states of one walk belong to one thread.
 */
public interface TextState {
    /** A number of characters too large to ever be written: no completion exists. */
    int NEVER = 1 << 29;

    /** The state after {@code codePoint}, or null when no text of the language continues this way. */
    TextState next(int codePoint);

    /** Whether the text so far is a whole sentence of the language. */
    boolean complete();

    /** Whether the text is complete and nothing may follow it. */
    boolean closed();

    /** The fewest characters that make the text complete (0 when it is; {@link #NEVER} when nothing can). */
    int toComplete();

    /**
     * Whether this state is inside a string's characters, where any plain character (one a JSON
     * string holds unescaped: {@code >= U+0020}, not {@code "}, {@code \\} or DEL) leaves it as it
     * is: the mask then allows whole runs of tokens without walking them.
     */
    default boolean inStringBody() {
        return false;
    }

    /** {@code a + b}, kept at {@link #NEVER} and below. */
    static int add(int a, int b) {
        return Math.min(NEVER, a + b);
    }
}
