package dev.jgpt.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jgpt.Quoted;
import dev.jgpt.constrain.Grammar;
import dev.jgpt.tools.CallJson;
import dev.jgpt.tools.ToolCallFormat;
import dev.jgpt.tools.ToolSpec;
import dev.jgpt.tools.ToolUse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A chat request's {@code tools}, {@code tool_choice} and {@code parallel_tool_calls}, checked
 * as OpenAI checks them, and the {@code tool_calls} of its assistant messages.
 */
final class ToolFields {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final JsonNode NO_PARAMETERS = JSON.createObjectNode().put("type", "object").set("properties", JSON.createObjectNode());

    /**
     * What the request asks of the tools.
     *
     * @param templateTools the tools as the template reads them; null when the prompt shows none
     * @param use           how the answer is read back into calls; null when it is plain content
     * @param forced        the grammar of the one call the answer must be ({@code required} or a named function); null otherwise
     */
    record Read(List<Object> templateTools, ToolUse use, Grammar forced) {
    }

    private ToolFields() {
    }

    @SuppressWarnings("unchecked")
    static Read read(Fields f, ToolCallFormat format) {
        List<ToolSpec> tools = tools(f);
        boolean parallel = f.bool("parallel_tool_calls").orElse(true);
        JsonNode choice = f.node("tool_choice").orElse(null);
        if (tools.isEmpty()) {
            if (choice != null && !(choice.isTextual() && choice.textValue().equals("none"))) {
                throw ApiException.invalid("tool_choice", "'tool_choice' is only allowed when 'tools' are given");
            }
            return new Read(null, null, null);
        }
        List<ToolSpec> forced = forcedTools(choice, tools);
        if (forced != null && forced.isEmpty()) { // "none": the model is not shown the tools
            return new Read(null, null, null);
        }
        List<Object> templateTools = JSON.convertValue(f.node("tools").orElseThrow(), List.class);
        ToolUse use = new ToolUse(tools, format, parallel);
        if (forced == null) {
            return new Read(templateTools, use, null);
        }
        if (f.node("response_format").isPresent() || f.node("grammar").isPresent()) {
            throw ApiException.invalid("tool_choice", "a forced 'tool_choice' decides the answer's form: give no 'response_format' or 'grammar' with it");
        }
        try {
            return new Read(templateTools, use, use.oneCallOf(forced));
        } catch (ToolUse.UnenforceableSchema e) {
            throw ApiException.invalid(at(tools, e.tool()) + ".parameters", e.getMessage());
        }
    }

    /** The tools one of which the answer must call: null for {@code auto}, empty for {@code none}. */
    private static List<ToolSpec> forcedTools(JsonNode choice, List<ToolSpec> tools) {
        if (choice == null) {
            return null;
        }
        if (choice.isTextual()) {
            return switch (choice.textValue()) {
                case "auto" -> null;
                case "none" -> List.of();
                case "required" -> tools;
                default -> throw ApiException.invalid("tool_choice", "'tool_choice' must be auto, none, required or"
                        + " {\"type\": \"function\", \"function\": {\"name\": ...}}, got " + Quoted.of(choice.textValue()));
            };
        }
        Fields c = Fields.of(choice, RequestShape.TOOL_CHOICE, "tool_choice");
        function(c, "tool_choice.type");
        Fields fn = Fields.of(c.node("function").orElseThrow(() -> ApiException.invalid("tool_choice.function",
                "'tool_choice.function' is required")), RequestShape.TOOL_CHOICE_FUNCTION, "tool_choice.function");
        String name = required(fn, "tool_choice.function", "name");
        return List.of(tools.stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow(() -> ApiException.invalid(
                "tool_choice.function.name", "'tool_choice.function.name' is " + Quoted.of(name) + ", which is not one of the 'tools'")));
    }

    private static List<ToolSpec> tools(Fields f) {
        JsonNode node = f.node("tools").orElse(null);
        if (node == null) {
            return List.of();
        }
        if (!node.isArray()) {
            throw Fields.wrongType("tools", "an array of tools", node);
        }
        List<ToolSpec> tools = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            String at = "tools[" + i + "]";
            Fields tool = Fields.of(node.get(i), RequestShape.TOOL, at);
            function(tool, at + ".type");
            Fields fn = Fields.of(tool.node("function").orElseThrow(() -> ApiException.invalid(at + ".function",
                    "'" + at + ".function' is required")), RequestShape.FUNCTION, at + ".function");
            String name = required(fn, at + ".function", "name");
            if (!NAME.matcher(name).matches()) {
                throw ApiException.invalid(at + ".function.name", "'" + at + ".function.name' must be 1 to 64 letters, digits, _ or -, got "
                        + Quoted.of(name));
            }
            if (tools.stream().anyMatch(t -> t.name().equals(name))) {
                throw ApiException.invalid(at + ".function.name", "two tools are named " + Quoted.of(name));
            }
            fn.string("description");
            fn.bool("strict"); // a forced call always keeps to the schema: strict or not
            JsonNode parameters = fn.object("parameters").map(JsonNode.class::cast).orElse(NO_PARAMETERS);
            tools.add(new ToolSpec(name, parameters));
        }
        return tools;
    }

    private static String at(List<ToolSpec> tools, ToolSpec tool) {
        return "tools[" + tools.indexOf(tool) + "].function";
    }

    private static void function(Fields f, String param) {
        String type = f.string("type").orElseThrow(() -> ApiException.invalid(param, "'" + param + "' is required"));
        if (!type.equals("function")) {
            throw ApiException.invalid(param, "'" + param + "' must be function, got " + Quoted.of(type));
        }
    }

    private static String required(Fields f, String at, String name) {
        return f.string(name).orElseThrow(() -> ApiException.invalid(at + "." + name, "'" + at + "." + name + "' is required"));
    }

    /**
     * An assistant message's {@code tool_calls} as a template reads them: each call's {@code arguments}
     * (a JSON string in the request) as the object it spells, as Hugging Face's templates expect.
     */
    @SuppressWarnings("unchecked")
    static void toTemplate(Map<String, Object> message, JsonNode node, String at) {
        JsonNode calls = node.get("tool_calls");
        if (calls == null || calls.isNull()) {
            return;
        }
        if (!calls.isArray()) {
            throw Fields.wrongType(at + ".tool_calls", "an array of tool calls", calls);
        }
        List<Object> plain = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
            String callAt = at + ".tool_calls[" + i + "]";
            Fields call = Fields.of(calls.get(i), RequestShape.TOOL_CALL, callAt);
            call.string("id");
            function(call, callAt + ".type");
            Fields fn = Fields.of(call.node("function").orElseThrow(() -> ApiException.invalid(callAt + ".function",
                    "'" + callAt + ".function' is required")), RequestShape.TOOL_CALL_FUNCTION, callAt + ".function");
            required(fn, callAt + ".function", "name");
            String arguments = required(fn, callAt + ".function", "arguments");
            JsonNode parsed = CallJson.parse(arguments);
            if (parsed == null || !parsed.isObject()) {
                throw ApiException.invalid(callAt + ".function.arguments", "'" + callAt + ".function.arguments' must be a JSON object"
                        + " written as a string, got " + Quoted.of(arguments));
            }
            Map<String, Object> plainCall = JSON.convertValue(calls.get(i), Map.class);
            ((Map<String, Object>) plainCall.get("function")).put("arguments", JSON.convertValue(parsed, Map.class));
            plain.add(plainCall);
        }
        message.put("tool_calls", plain);
    }
}
