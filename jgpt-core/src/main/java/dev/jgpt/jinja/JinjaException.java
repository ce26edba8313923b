package dev.jgpt.jinja;

import com.hubspot.jinjava.interpret.TemplateError;
import dev.jgpt.JgptException;
import dev.jgpt.Quoted;
import java.util.Optional;

/** A template that could not be rendered: it raised an error itself, or it failed as Python's jinja2 would. */
public final class JinjaException extends JgptException {
    private final String raised;

    private JinjaException(String message, String raised) {
        super(message);
        this.raised = raised;
    }

    /** The message of the template's own {@code raise_exception(message)}, when that is what stopped it. */
    public Optional<String> raised() {
        return Optional.ofNullable(raised);
    }

    static JinjaException of(TemplateError error) {
        for (Throwable t = error.getException(); t != null; t = t.getCause()) {
            if (t instanceof TemplateRaised r) {
                return new JinjaException("the chat template refuses the conversation: " + Quoted.of(r.getMessage()), r.getMessage());
            }
            if (t instanceof TemplateTypeError e) {
                return new JinjaException("the chat template fails at line " + error.getLineno() + ": " + Quoted.of(e.getMessage()), null);
            }
        }
        return new JinjaException("the chat template fails at line " + error.getLineno() + ": " + Quoted.of(error.getMessage()), null);
    }
}
