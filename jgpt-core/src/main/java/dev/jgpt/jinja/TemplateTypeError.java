package dev.jgpt.jinja;

/** What Python raises as a TypeError inside a template: an operation on values of the wrong types. */
final class TemplateTypeError extends PythonError {
    TemplateTypeError(String message) {
        super(message);
    }

    @Override
    String kind() {
        return "TypeError";
    }
}
