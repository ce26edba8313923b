package dev.jgpt.inspect;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;

/** The one JSON form of an {@link Explanation}: printed by {@code jgpt explain --json}, embedded in its HTML page. */
public final class ExplanationJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ExplanationJson() {}

    /** One compact JSON document (no indentation: attention alone is L·H·T² numbers). */
    public static String write(Explanation explanation) {
        try {
            return MAPPER.writeValueAsString(explanation);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
