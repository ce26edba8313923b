package dev.jgpt.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.jgpt.format.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code jgpt explain --html}: one self-contained HTML page (inline style, script and data, nothing
 * fetched from the network) that draws an explanation JSON as a token strip, next-token bars with a
 * temperature slider, attention heatmaps and the logit lens. The page lives in the resources
 * explain.html/.css/.js; this class only fills the template.
 */
final class ExplainPage {
    private static final Pattern SLOT = Pattern.compile("\\{\\{(style|script|data)}}");
    private static final String TEMPLATE = resource("explain.html");
    private static final String STYLE = inlineable(resource("explain.css"), "</style");
    private static final String SCRIPT = inlineable(resource("explain.js"), "</script");

    private ExplainPage() {}

    /** Writes the page for {@code explanationJson} (a JSON object with at least a non-empty {@code tokens} array) to {@code out}, atomically. */
    static void write(Path out, String explanationJson) {
        checkShape(explanationJson);
        AtomicFiles.write(out, temporary -> {
            try (Writer writer = Files.newBufferedWriter(temporary, StandardCharsets.UTF_8)) {
                render(writer, explanationJson);
            }
        });
    }

    /** The template with its three slots filled; the slots are looked up in the template only, never in what fills them. */
    static void render(Writer writer, String explanationJson) throws IOException {
        Matcher slot = SLOT.matcher(TEMPLATE);
        int from = 0;
        while (slot.find()) {
            writer.write(TEMPLATE, from, slot.start() - from);
            switch (slot.group(1)) {
                case "style" -> writer.write(STYLE);
                case "script" -> writer.write(SCRIPT);
                default -> writeScriptSafe(writer, explanationJson);
            }
            from = slot.end();
        }
        writer.write(TEMPLATE, from, TEMPLATE.length() - from);
    }

    /**
     * Copies JSON into a script element. Outside its strings JSON has none of {@code < > &}, so each
     * one is inside a string, where its \\u escape means the same character: the text can then never
     * close the element ("</script>") or open a comment ("<!--"). U+2028/U+2029 are escaped as well.
     */
    private static void writeScriptSafe(Writer writer, String json) throws IOException {
        int from = 0;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029') {
                writer.write(json, from, i - from);
                writer.write(String.format("\\u%04x", (int) c));
                from = i + 1;
            }
        }
        writer.write(json, from, json.length() - from);
    }

    /** Reads the JSON once, as a stream: one object, with a non-empty {@code tokens} array, and nothing after it. */
    private static void checkShape(String json) {
        try (JsonParser parser = new JsonFactory().createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("explanation JSON: expected an object");
            }
            boolean tokens = false;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if (name.equals("tokens")) {
                    int count = 0;
                    while (value == JsonToken.START_ARRAY && parser.nextToken() != JsonToken.END_ARRAY) {
                        parser.skipChildren();
                        count++;
                    }
                    if (count == 0) {
                        throw new IllegalArgumentException("explanation JSON: \"tokens\" must be a non-empty array");
                    }
                    tokens = true;
                } else {
                    parser.skipChildren();
                }
            }
            if (!tokens) {
                throw new IllegalArgumentException("explanation JSON: no \"tokens\" array");
            }
            if (parser.nextToken() != null) {
                throw new IllegalArgumentException("explanation JSON: more after the object");
            }
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("explanation JSON: not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String resource(String name) {
        try (InputStream in = ExplainPage.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("resource dev/jgpt/cli/" + name + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A resource that goes inside an element of the page must not close that element early. */
    private static String inlineable(String text, String closing) {
        if (text.toLowerCase(Locale.ROOT).contains(closing)) {
            throw new IllegalStateException("a page resource contains " + closing + ">, which would end its element early");
        }
        return text;
    }
}
