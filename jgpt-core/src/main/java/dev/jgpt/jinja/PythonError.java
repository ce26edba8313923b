package dev.jgpt.jinja;

/** An error Python's jinja2 raises while rendering, by its Python class name ({@code TypeError}, {@code UndefinedError}). */
abstract class PythonError extends RuntimeException {
    PythonError(String message) {
        super(message);
    }

    /** The Python class of the error. */
    abstract String kind();
}
