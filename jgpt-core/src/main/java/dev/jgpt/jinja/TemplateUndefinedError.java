package dev.jgpt.jinja;

/** jinja2's UndefinedError: an undefined value indexed, added, or otherwise used beyond printing and testing it. */
final class TemplateUndefinedError extends PythonError {
    TemplateUndefinedError(String message) {
        super(message);
    }

    @Override
    String kind() {
        return "UndefinedError";
    }
}
