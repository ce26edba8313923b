package dev.jgpt.langchain4j;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jgpt.JgptException;
import dev.jgpt.Quoted;
import dev.jgpt.generate.ChatMessage.Role;
import dev.jgpt.tools.CallJson;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.Content;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * LangChain4j's messages in the shape a model's chat template reads, which is OpenAI's: {@code role},
 * {@code content}, an assistant's {@code tool_calls} (each call's arguments as the object they spell,
 * as Hugging Face's templates expect) and {@code tool} messages with the id of the call they answer.
 */
final class TemplateMessages {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TemplateMessages() {
    }

    /** The messages as JSON values for {@link dev.jgpt.generate.JinjaTemplate#render(List, List, boolean)}. */
    static List<Map<String, Object>> of(List<ChatMessage> messages) {
        List<Map<String, Object>> plain = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            plain.add(message(messages.get(i), "message " + i));
        }
        return plain;
    }

    /**
     * The messages as jgpt's plain turns, for a template that is not a Jinja program (it can show
     * neither tools nor calls).
     */
    static List<dev.jgpt.generate.ChatMessage> turns(List<ChatMessage> messages) {
        List<dev.jgpt.generate.ChatMessage> turns = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            Map<String, Object> m = message(messages.get(i), "message " + i);
            if (m.containsKey("tool_calls")) {
                throw new JgptException("message " + i + " holds tool calls, and this model has no chat template of its own to show them");
            }
            Object content = m.get("content");
            turns.add(new dev.jgpt.generate.ChatMessage(Role.valueOf(((String) m.get("role")).toUpperCase(java.util.Locale.ROOT)),
                    content == null ? "" : (String) content));
        }
        return turns;
    }

    private static Map<String, Object> message(ChatMessage message, String at) {
        Map<String, Object> m = new LinkedHashMap<>();
        switch (message) {
            case SystemMessage system -> {
                m.put("role", "system");
                m.put("content", system.text());
            }
            case UserMessage user -> {
                m.put("role", "user");
                m.put("content", text(user.contents(), at));
                if (user.name() != null) {
                    m.put("name", user.name());
                }
            }
            case AiMessage ai -> {
                m.put("role", "assistant");
                m.put("content", ai.text());
                if (ai.hasToolExecutionRequests()) {
                    List<Object> calls = new ArrayList<>();
                    for (ToolExecutionRequest request : ai.toolExecutionRequests()) {
                        calls.add(call(request, at));
                    }
                    m.put("tool_calls", calls);
                }
            }
            case ToolExecutionResultMessage result -> {
                m.put("role", "tool");
                m.put("tool_call_id", result.id());
                m.put("name", result.toolName());
                m.put("content", text(result.contents(), at));
            }
            default -> throw new JgptException(at + " is a " + message.type() + " message, which jgpt cannot show a model:"
                    + " give system, user, AI and tool-result messages");
        }
        return m;
    }

    private static Map<String, Object> call(ToolExecutionRequest request, String at) {
        JsonNode arguments = request.arguments() == null || request.arguments().isBlank() ? JSON.createObjectNode()
                : CallJson.parse(request.arguments());
        if (arguments == null || !arguments.isObject()) {
            throw new JgptException(at + ": the arguments of the call of " + Quoted.of(request.name()) + " are not a JSON object: "
                    + Quoted.of(request.arguments()));
        }
        Map<String, Object> function = new LinkedHashMap<>();
        function.put("name", request.name());
        function.put("arguments", JSON.convertValue(arguments, Map.class));
        Map<String, Object> call = new LinkedHashMap<>();
        call.put("id", request.id());
        call.put("type", "function");
        call.put("function", function);
        return call;
    }

    /** A message's text parts joined; any other part (an image, audio, a file) is an error naming it. */
    private static String text(List<Content> contents, String at) {
        StringBuilder text = new StringBuilder();
        for (Content content : contents) {
            if (!(content instanceof TextContent part)) {
                throw new JgptException(at + " holds " + content.type() + " content: jgpt's models read text only");
            }
            text.append(part.text());
        }
        return text.toString();
    }
}
