package dev.jgpt.jinja;

/** What Python raises as a TypeError inside a template: an operation on values of the wrong types. */
final class TemplateTypeError extends RuntimeException {
    TemplateTypeError(String message) {
        super(message);
    }
}
