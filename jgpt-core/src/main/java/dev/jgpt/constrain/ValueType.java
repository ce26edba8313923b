package dev.jgpt.constrain;

import java.util.List;

/**
 * What a JSON schema allows at one place of a document, compiled for the automaton: it starts the
 * states that read such a value. {@link #minLength} is the length of its shortest text, found for
 * recursive schemas by iterating {@link #shortest} to a fixed point ({@link #settle}).
 */
abstract class ValueType {
    int minLength = TextState.NEVER;

    /** The state before the value's first character; {@code after} reads what follows the value. */
    abstract State start(State after);

    /** The shortest text's length from the children's current {@link #minLength}. */
    abstract int shortest();

    /** A length in characters, kept at {@link TextState#NEVER} and below. */
    static int clamp(long length) {
        return (int) Math.min(TextState.NEVER, length);
    }

    /** Sets every type's {@link #minLength}: lengths only shrink, so the loop ends. */
    static void settle(List<ValueType> types) {
        boolean changed = true;
        while (changed) {
            changed = false;
            for (ValueType t : types) {
                int m = t.shortest();
                if (m < t.minLength) {
                    t.minLength = m;
                    changed = true;
                }
            }
        }
    }
}
