package dev.jgpt.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Map;

/**
 * Strings of a request body made well-formed UTF-16: JSON may spell half a surrogate pair
 * ({@code "\ud800"}), which no UTF-8 text holds; each such lone surrogate becomes U+FFFD, the
 * replacement character, as a UTF-8 decoder does with bytes it cannot read.
 */
final class WellFormedText {
    private static final char REPLACEMENT = '\uFFFD';

    private WellFormedText() {
    }

    /** Mends every string value in {@code node}, in place; returns it. */
    static JsonNode mend(JsonNode node) {
        if (node instanceof ObjectNode object) {
            for (Map.Entry<String, JsonNode> field : object.properties()) {
                field.setValue(mendValue(field.getValue()));
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                array.set(i, mendValue(array.get(i)));
            }
        }
        return node;
    }

    private static JsonNode mendValue(JsonNode node) {
        if (node.isTextual()) {
            String text = node.textValue();
            String mended = mend(text);
            return mended == text ? node : TextNode.valueOf(mended);
        }
        return mend(node);
    }

    /** {@code text} with each lone surrogate replaced by U+FFFD; the same instance when it has none. */
    static String mend(String text) {
        char[] out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++; // a whole pair
            } else if (Character.isSurrogate(c)) {
                if (out == null) {
                    out = text.toCharArray();
                }
                out[i] = REPLACEMENT;
            }
        }
        return out == null ? text : new String(out);
    }
}
