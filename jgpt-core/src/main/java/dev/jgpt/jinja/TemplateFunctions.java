package dev.jgpt.jinja;

import java.time.LocalDateTime;

/** The global functions Hugging Face gives chat templates. Public for Jinjava, which calls them by reflection. */
public final class TemplateFunctions {
    /** The time of the render under way ({@link Jinja#render} sets it): Jinjava's functions are static methods. */
    static final ThreadLocal<LocalDateTime> NOW = new ThreadLocal<>();

    private TemplateFunctions() {
    }

    /** {@code raise_exception(message)}: the template refuses the conversation. */
    public static String raiseException(String message) {
        throw new TemplateRaised(message);
    }

    /** {@code strftime_now(format)}: the current time as C's strftime writes it. */
    public static String strftimeNow(String format) {
        LocalDateTime now = NOW.get();
        return Strftime.format(now == null ? LocalDateTime.now() : now, format);
    }
}
