package dev.jgpt.spark;

import dev.jgpt.JgptException;
import java.util.function.Function;

/**
 * What one row gave: a value, or the error that row met (its value null). A bad row yields an
 * error the query keeps as data, not a failed job.
 */
record Outcome<T>(T value, String error) {
    static <T> Outcome<T> of(T value) {
        return new Outcome<>(value, null);
    }

    static <T> Outcome<T> failed(RuntimeException e) {
        return new Outcome<>(null, message(e));
    }

    /** {@code work.apply(input)}, with a failure kept as the row's error. */
    static <I, T> Outcome<T> of(I input, Function<I, T> work) {
        try {
            return of(work.apply(input));
        } catch (RuntimeException e) {
            return failed(e);
        }
    }

    /** A jgpt error's message as it is (it names what is wrong); anything else with its kind first. */
    private static String message(RuntimeException e) {
        return e instanceof JgptException ? e.getMessage() : e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}
