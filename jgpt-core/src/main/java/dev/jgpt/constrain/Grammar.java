package dev.jgpt.constrain;

/**
 * A language that generated text must belong to: a JSON schema ({@link JsonSchema}) or a GBNF
 * grammar ({@link Gbnf}). Immutable; each sequence walks it from {@link #start}.
 */
public interface Grammar {
    /** The state before the first character. */
    TextState start();
}
