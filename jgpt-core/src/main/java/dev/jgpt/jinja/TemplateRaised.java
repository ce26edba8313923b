package dev.jgpt.jinja;

/** A template's own {@code raise_exception(message)}. */
final class TemplateRaised extends RuntimeException {
    TemplateRaised(String message) {
        super(message);
    }
}
