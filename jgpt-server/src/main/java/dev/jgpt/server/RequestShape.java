package dev.jgpt.server;

import dev.jgpt.Quoted;
import java.util.List;
import java.util.Map;

/**
 * The fields each request object may hold, the one list the server checks every body against:
 * a field outside it is a 400 naming it, since a field read by nobody would be an option silently
 * not honoured. README.md lists the same fields per endpoint.
 */
enum RequestShape {
    COMPLETION("/v1/completions", List.of("model", "prompt", "max_tokens", "temperature", "top_p", "top_k", "min_p",
            "repeat_penalty", "presence_penalty", "frequency_penalty", "seed", "stop", "stream", "stream_options", "n",
            "logprobs", "user", "response_format", "grammar")),
    CHAT("/v1/chat/completions", List.of("model", "messages", "max_tokens", "max_completion_tokens", "temperature", "top_p",
            "top_k", "min_p", "repeat_penalty", "presence_penalty", "frequency_penalty", "seed", "stop", "stream",
            "stream_options", "n", "logprobs", "top_logprobs", "user", "response_format", "grammar", "tools", "tool_choice",
            "parallel_tool_calls")),
    EMBEDDINGS("/v1/embeddings", List.of("model", "input", "encoding_format", "pooling", "user")),
    EXPLAIN("/v1/explain", List.of("prompt", "tokens", "top_k")),
    TOKENIZE("/tokenize", List.of("content", "add_special")),
    DETOKENIZE("/detokenize", List.of("tokens")),
    MESSAGE("a message", List.of("role", "content", "name", "refusal", "tool_calls", "tool_call_id")),
    CONTENT_PART("a content part", List.of("type", "text")),
    STREAM_OPTIONS("stream_options", List.of("include_usage")),
    RESPONSE_FORMAT("response_format", List.of("type", "json_schema")),
    JSON_SCHEMA("response_format.json_schema", List.of("name", "description", "schema", "strict")),
    TOOL("a tool", List.of("type", "function")),
    FUNCTION("a tool's function", List.of("name", "description", "parameters", "strict")),
    TOOL_CHOICE("tool_choice", List.of("type", "function")),
    TOOL_CHOICE_FUNCTION("tool_choice.function", List.of("name")),
    TOOL_CALL("a tool call", List.of("id", "type", "function")),
    TOOL_CALL_FUNCTION("a tool call's function", List.of("name", "arguments"));

    /** Fields OpenAI defines that jgpt cannot honour yet, and why. */
    private static final Map<String, String> NOT_YET = Map.of(
            "logit_bias", "logits cannot be biased per request",
            "echo", "the prompt is not echoed",
            "best_of", "one completion is sampled per request",
            "suffix", "jgpt does not fill in the middle",
            "dimensions", "an embedding has the model's width");

    /** OpenAI's legacy fields that newer ones replace: pointed to the replacement. */
    private static final Map<String, String> LEGACY = Map.of(
            "functions", "send 'tools' instead",
            "function_call", "send 'tools' and 'tool_choice' instead");

    private final String where;
    private final List<String> accepted;

    RequestShape(String where, List<String> accepted) {
        this.where = where;
        this.accepted = accepted;
    }

    /** The endpoint or the object inside a body that this shape describes. */
    String where() {
        return where;
    }

    List<String> accepted() {
        return accepted;
    }

    /**
     * A 400 for the first field of {@code names} this shape does not accept, or null.
     *
     * @param at the path of the object inside the body ("" for the body itself, else ending in '.')
     */
    ApiException check(Iterable<String> names, String at) {
        for (String name : names) {
            if (accepted.contains(name)) {
                continue;
            }
            String param = at + name;
            String reason = NOT_YET.get(name);
            if (LEGACY.containsKey(name)) {
                return ApiException.invalid(param, "'" + param + "' is OpenAI's legacy function calling, which jgpt does not take: "
                        + LEGACY.get(name));
            }
            return ApiException.invalid(param, reason != null
                    ? "'" + param + "' is not supported yet: " + reason
                    : "unknown field " + Quoted.of(param) + ": " + where
                            + " accepts " + String.join(", ", accepted));
        }
        return null;
    }
}
