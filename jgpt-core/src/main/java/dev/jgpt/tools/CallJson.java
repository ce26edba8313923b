package dev.jgpt.tools;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jgpt.constrain.JsonSchema;
import java.util.ArrayList;
import java.util.List;

/** What the tool-call formats share: reading a call's JSON, the JSON schema of one call, and holding back a marker's start. */
public final class CallJson {
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private CallJson() {
    }

    /** {@code text} as one JSON value, or null when it is not exactly one. */
    public static JsonNode parse(String text) {
        try {
            return text.isBlank() ? null : JSON.readTree(text);
        } catch (JacksonException e) {
            return null;
        }
    }

    /**
     * The calls of a JSON object {@code {"name": ..., "arguments" or "parameters": {...}}} or a
     * non-empty array of them; null when the value is not that.
     */
    static List<ToolCall> calls(JsonNode value) {
        if (value == null) {
            return null;
        }
        List<ToolCall> calls = new ArrayList<>();
        for (JsonNode item : value.isArray() ? value : List.of(value)) {
            ToolCall call = call(item);
            if (call == null) {
                return null;
            }
            calls.add(call);
        }
        return calls.isEmpty() ? null : calls;
    }

    private static ToolCall call(JsonNode item) {
        if (!item.isObject() || !item.path("name").isTextual()) {
            return null;
        }
        JsonNode arguments = item.has("arguments") ? item.get("arguments") : item.has("parameters") ? item.get("parameters")
                : JSON.createObjectNode(); // a function without arguments
        if (arguments != null && arguments.isTextual()) {
            arguments = parse(arguments.textValue()); // some models write the arguments as a JSON string
        }
        return arguments != null && arguments.isObject() ? new ToolCall(item.get("name").textValue(), arguments.toString()) : null;
    }

    /** The schema of one call object: {@code name} one of the tools', {@code argumentsKey} that tool's parameters. */
    static JsonSchema callSchema(List<ToolSpec> tools, String argumentsKey) {
        ObjectNode schema = JSON.createObjectNode();
        ArrayNode anyOf = schema.putArray("anyOf");
        for (ToolSpec tool : tools) {
            ObjectNode call = anyOf.addObject();
            call.put("type", "object");
            ObjectNode properties = call.putObject("properties");
            properties.putObject("name").put("const", tool.name());
            properties.set(argumentsKey, tool.parameters());
            call.putArray("required").add("name").add(argumentsKey);
            call.put("additionalProperties", false);
        }
        return JsonSchema.compile(schema);
    }

    /** Where {@code marker} begins in {@code text}, else where a suffix of the text that starts it begins, else the text's length. */
    static int holdMarker(String text, String marker) {
        int found = text.indexOf(marker);
        if (found >= 0) {
            return found;
        }
        for (int from = Math.max(0, text.length() - marker.length() + 1); from < text.length(); from++) {
            if (marker.startsWith(text.substring(from))) {
                return from;
            }
        }
        return text.length();
    }

    /** 0 while {@code text} is blank or starts (after spaces) with a JSON object or array, which may be a call; else its length. */
    static int holdLeadingJson(String text) {
        String start = text.stripLeading();
        return start.isEmpty() || start.startsWith("{") || start.startsWith("[") ? 0 : text.length();
    }
}
