package dev.jgpt.jinja;

import com.hubspot.jinjava.interpret.TemplateError;
import dev.jgpt.JgptException;
import dev.jgpt.Quoted;
import java.util.Optional;

/** A template that could not be rendered: it raised an error itself, or it failed as Python's jinja2 would. */
public final class JinjaException extends JgptException {
    private final String raised;
    private final String pythonError;

    private JinjaException(String message, String raised, String pythonError) {
        super(message);
        this.raised = raised;
        this.pythonError = pythonError;
    }

    /** The message of the template's own {@code raise_exception(message)}, when that is what stopped it. */
    public Optional<String> raised() {
        return Optional.ofNullable(raised);
    }

    /** The error Python's jinja2 raises here, as {@code Kind: message} ({@code TypeError: ...}), when that is what stopped it. */
    public Optional<String> pythonError() {
        return Optional.ofNullable(pythonError);
    }

    static JinjaException of(TemplateError error) {
        for (Throwable t = error.getException(); t != null; t = t.getCause()) {
            if (t instanceof TemplateRaised r) {
                return new JinjaException("the chat template refuses the conversation: " + Quoted.of(r.getMessage()), r.getMessage(), null);
            }
            if (t instanceof PythonError e) {
                String python = e.kind() + ": " + e.getMessage();
                return new JinjaException("the chat template fails at line " + error.getLineno() + ": " + Quoted.of(python), null, python);
            }
        }
        return new JinjaException("the chat template fails at line " + error.getLineno() + ": " + Quoted.of(error.getMessage()), null, null);
    }
}
