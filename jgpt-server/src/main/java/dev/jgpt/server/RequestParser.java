package dev.jgpt.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jgpt.constrain.Grammar;
import dev.jgpt.generate.ChatMessage;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jgpt.generate.ChatTemplate;
import dev.jgpt.generate.JinjaTemplate;
import dev.jgpt.jinja.JinjaException;
import dev.jgpt.generate.ContextOverflow;
import dev.jgpt.generate.Embeddings;
import dev.jgpt.generate.GenerationSettings;
import dev.jgpt.sampling.SamplerSettings;
import dev.jgpt.tokenizer.Tokenizer;
import dev.jgpt.tools.ToolCallFormat;
import dev.jgpt.tools.ToolUse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Turns the JSON of a completion or chat request into a {@link GenerationRequest}, checking
 * every field OpenAI defines that the server honours. Defaults are OpenAI's: temperature 1,
 * top-p 1, 16 new tokens for a completion and the rest of the context for a chat. A request
 * never asks for more new tokens than the context has room for: a larger maximum is clamped.
 */
final class RequestParser {
    /** Most alternatives per token a request may ask for (OpenAI's bound for chat). */
    static final int MAX_TOP_LOGPROBS = 20;
    private static final int DEFAULT_COMPLETION_TOKENS = 16;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Tokenizer tokenizer;
    private final int vocab;
    private final int window;
    private final ChatTemplate template;
    private final ToolCallFormat toolFormat;

    RequestParser(Tokenizer tokenizer, int window, ChatTemplate template) {
        this.tokenizer = tokenizer;
        this.vocab = tokenizer.vocabSize(); // a padded model has more ids, which stand for no text
        this.window = window;
        this.template = template;
        this.toolFormat = ToolCallFormat.of(template);
    }

    /** {@code POST /v1/completions}: {@code prompt} is a string or an array of token ids. */
    GenerationRequest completion(ObjectNode body) {
        Fields f = Fields.of(body, RequestShape.COMPLETION);
        int[] prompt = prompt(f);
        int maxTokens = f.integer("max_tokens", 1).orElse(DEFAULT_COMPLETION_TOKENS);
        int top = f.integer("logprobs", 0).map(n -> checkTop("logprobs", n)).orElse(-1);
        return build(f, false, prompt, maxTokens, List.of(), top, OutputConstraint.read(f), null);
    }

    /** {@code POST /v1/chat/completions}: {@code messages} rendered with the model's chat template. */
    GenerationRequest chat(ObjectNode body) {
        Fields f = Fields.of(body, RequestShape.CHAT);
        ToolFields.Read tools = ToolFields.read(f, toolFormat);
        if (tools.templateTools() != null && !(template instanceof JinjaTemplate)) {
            throw ApiException.invalid("tools", "this model has no chat template of its own, so nothing would show it the tools");
        }
        int[] prompt;
        try {
            prompt = template instanceof JinjaTemplate jinja
                    ? ChatTemplate.encodeText(jinja.render(plainMessages(f), tools.templateTools(), true), template, tokenizer)
                    : template.encode(messages(f), tokenizer);
        } catch (JinjaException e) {
            throw ApiException.invalid("messages", e.getMessage());
        }
        checkPromptLength("messages", prompt);
        int maxTokens = f.integer("max_completion_tokens", 1).or(() -> f.integer("max_tokens", 1)).orElse(room(prompt));
        boolean logprobs = f.bool("logprobs").orElse(false);
        int top = f.integer("top_logprobs", 0).map(n -> checkTop("top_logprobs", n)).orElse(0);
        if (!logprobs && f.node("top_logprobs").isPresent()) {
            throw ApiException.invalid("top_logprobs", "'top_logprobs' needs 'logprobs' set to true");
        }
        Grammar grammar = tools.forced() != null ? tools.forced() : OutputConstraint.read(f);
        return build(f, true, prompt, maxTokens, template.stops(), logprobs ? top : -1, grammar, tools.use());
    }

    private GenerationRequest build(Fields f, boolean chat, int[] prompt, int maxTokens, List<String> templateStops, int topLogprobs,
                                    Grammar grammar, ToolUse tools) {
        f.string("model"); // any name is accepted: the server has one model
        if (f.integer("n").filter(n -> n != 1).isPresent()) {
            throw ApiException.invalid("n", "only one choice per request: 'n' must be 1");
        }
        List<String> stops = new ArrayList<>(templateStops);
        for (String stop : f.strings("stop")) {
            if (stop.isEmpty()) {
                throw ApiException.invalid("stop", "a stop string cannot be empty");
            }
            stops.add(stop);
        }
        float temperature = f.number("temperature", 0, SamplerSettings.MAX_TEMPERATURE).orElse(1.0).floatValue();
        float topP = f.number("top_p", 0, 1).orElse(1.0).floatValue();
        int topK = f.integer("top_k", 0).orElse(0);
        float minP = f.number("min_p", 0, 0.999999).orElse(0.0).floatValue();
        float repeat = f.number("repeat_penalty", 0.01, 100).orElse(1.0).floatValue();
        float presence = f.number("presence_penalty", -SamplerSettings.MAX_PENALTY, SamplerSettings.MAX_PENALTY).orElse(0.0).floatValue();
        float frequency = f.number("frequency_penalty", -SamplerSettings.MAX_PENALTY, SamplerSettings.MAX_PENALTY).orElse(0.0).floatValue();
        long seed = f.longInteger("seed").orElseGet(() -> ThreadLocalRandom.current().nextLong());
        boolean stream = f.bool("stream").orElse(false);
        boolean includeUsage = f.node("stream_options").map(o -> Fields.of(o, RequestShape.STREAM_OPTIONS, "stream_options").bool("include_usage").orElse(false)).orElse(false);
        // top-p 0 keeps only the most likely token, as the smallest positive p does
        SamplerSettings sampler = SamplerSettings.builder().temperature(temperature).topK(topK).topP(Math.max(topP, Float.MIN_VALUE))
                .minP(minP).repetitionPenalty(repeat).presencePenalty(presence).frequencyPenalty(frequency).seed(seed).build();
        // more new tokens than the context has room for: as many as fit, ending with "length" (as llama.cpp does)
        boolean clamped = maxTokens > room(prompt);
        GenerationSettings settings = new GenerationSettings(clamped ? room(prompt) : maxTokens, sampler, stops, ContextOverflow.STOP,
                grammar);
        return new GenerationRequest(chat, prompt, settings, topLogprobs, stream, includeUsage, clamped, tools);
    }

    /**
     * New tokens that fit after {@code prompt}: one per position the window has left, and one more,
     * sampled from the last position's logits and never run through the model.
     */
    private int room(int[] prompt) {
        return window - prompt.length + 1;
    }

    private int[] prompt(Fields f) {
        JsonNode node = f.node("prompt").orElseThrow(() -> ApiException.invalid("prompt", "'prompt' is required"));
        int[] ids;
        if (node.isArray() && node.size() == 1 && (node.get(0).isTextual() || node.get(0).isArray())) {
            node = node.get(0); // a batch of one
        }
        if (node.isTextual()) {
            ids = tokenizer.encodeSequence(node.textValue());
        } else if (node.isArray() && node.size() > 0 && node.get(0).isIntegralNumber()) {
            ids = tokenIds("prompt", node);
        } else if (node.isArray() && node.size() > 1) {
            throw ApiException.invalid("prompt", "one prompt per request: send the prompts of a batch one by one");
        } else {
            throw Fields.wrongType("prompt", "a string or an array of token ids", node);
        }
        checkPromptLength("prompt", ids);
        return ids;
    }

    /**
     * {@code POST /v1/explain}: the text as {@code prompt} (a string, encoded as a completion's
     * prompt is) or as {@code tokens} (an array of ids), and {@code top_k} (default 10).
     */
    ExplainRequest explain(ObjectNode body) {
        Fields f = Fields.of(body, RequestShape.EXPLAIN);
        JsonNode prompt = f.node("prompt").orElse(null);
        JsonNode tokens = f.node("tokens").orElse(null);
        if ((prompt == null) == (tokens == null)) {
            throw ApiException.invalid(prompt == null ? "prompt" : "tokens", "give the text as either 'prompt' (a string) or 'tokens' (an array of token ids)");
        }
        String param = prompt != null ? "prompt" : "tokens";
        int[] ids;
        if (prompt != null) {
            if (!prompt.isTextual()) {
                throw Fields.wrongType("prompt", "a string", prompt);
            }
            ids = tokenizer.encodeSequence(prompt.textValue());
        } else {
            if (!tokens.isArray()) {
                throw Fields.wrongType("tokens", "an array of token ids", tokens);
            }
            ids = tokenIds("tokens", tokens);
        }
        checkPromptLength(param, ids);
        int topK = f.integer("top_k", 1).orElse(ExplainRequest.DEFAULT_TOP_K);
        if (topK > ExplainRequest.MAX_TOP_K) {
            throw ApiException.invalid("top_k", "'top_k' must be at most " + ExplainRequest.MAX_TOP_K + ", got " + topK);
        }
        return new ExplainRequest(param, ids, topK);
    }

    /**
     * {@code POST /v1/embeddings}: {@code input} a string, an array of strings, an array of token
     * ids or an array of such arrays; {@code pooling} mean (default) or last; {@code encoding_format} float or base64.
     */
    EmbeddingRequest embeddings(ObjectNode body) {
        Fields f = Fields.of(body, RequestShape.EMBEDDINGS);
        f.string("model"); // any name is accepted: the server has one model
        f.string("user");
        JsonNode input = f.node("input").orElseThrow(() -> ApiException.invalid("input", "'input' is required"));
        List<int[]> inputs = new ArrayList<>();
        if (input.isTextual()) {
            inputs.add(tokenizer.encodeSequence(input.textValue()));
        } else if (input.isArray() && !input.isEmpty() && input.get(0).isIntegralNumber()) {
            inputs.add(tokenIds("input", input));
        } else if (input.isArray() && !input.isEmpty()) {
            if (input.size() > EmbeddingRequest.MAX_INPUTS) {
                throw ApiException.invalid("input", "at most " + EmbeddingRequest.MAX_INPUTS + " inputs per request, got " + input.size());
            }
            for (JsonNode item : input) {
                if (item.isTextual()) {
                    inputs.add(tokenizer.encodeSequence(item.textValue()));
                } else if (item.isArray()) {
                    inputs.add(tokenIds("input", item));
                } else {
                    throw Fields.wrongType("input", "a string, an array of strings, an array of token ids or an array of such arrays", input);
                }
            }
        } else {
            throw Fields.wrongType("input", "a string, an array of strings, an array of token ids or an array of such arrays", input);
        }
        for (int i = 0; i < inputs.size(); i++) {
            checkPromptLength(inputs.size() == 1 ? "input" : "input[" + i + "]", inputs.get(i));
        }
        Embeddings.Pooling pooling = switch (f.string("pooling").orElse("mean")) {
            case "mean" -> Embeddings.Pooling.MEAN;
            case "last" -> Embeddings.Pooling.LAST;
            default -> throw ApiException.invalid("pooling", "'pooling' must be mean or last");
        };
        boolean base64 = switch (f.string("encoding_format").orElse("float")) {
            case "float" -> false;
            case "base64" -> true;
            default -> throw ApiException.invalid("encoding_format", "'encoding_format' must be float or base64");
        };
        return new EmbeddingRequest(inputs, pooling, base64);
    }

    /** An array of token ids, each checked against the vocabulary. */
    private int[] tokenIds(String param, JsonNode node) {
        int[] ids = new int[node.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode id = node.get(i);
            if (!id.isIntegralNumber() || !id.canConvertToInt() || id.intValue() < 0 || id.intValue() >= vocab) {
                throw ApiException.invalid(param, param + " token " + i + " is " + id + ": token ids are integers in 0.." + (vocab - 1));
            }
            ids[i] = id.intValue();
        }
        return ids;
    }

    private void checkPromptLength(String param, int[] prompt) {
        if (prompt.length == 0) {
            throw ApiException.invalid(param, "the prompt is empty: give at least one token");
        }
        if (prompt.length > window) {
            throw ApiException.invalid(param, "context_length_exceeded", "the prompt has "
                    + prompt.length + " tokens, more than the context window of " + window + " tokens");
        }
    }

    private List<ChatMessage> messages(Fields f) {
        JsonNode node = f.node("messages").orElseThrow(() -> ApiException.invalid("messages", "'messages' is required"));
        if (!node.isArray() || node.isEmpty()) {
            throw ApiException.invalid("messages", "'messages' must be a non-empty array of {role, content}");
        }
        List<ChatMessage> messages = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            String at = "messages[" + i + "]";
            Fields mf = Fields.of(node.get(i), RequestShape.MESSAGE, at);
            String role = mf.string("role").orElseThrow(() -> ApiException.invalid(at + ".role", "'" + at + ".role' is required"));
            ChatMessage.Role r = switch (role) {
                case "system", "developer" -> ChatMessage.Role.SYSTEM;
                case "user" -> ChatMessage.Role.USER;
                case "assistant" -> ChatMessage.Role.ASSISTANT;
                case "tool" -> ChatMessage.Role.TOOL;
                default -> throw ApiException.invalid(at + ".role", "unknown role '" + role
                        + "': expected system, developer, user, assistant or tool");
            };
            mf.string("name");
            mf.string("refusal"); // an answer's message sent back as it came
            mf.string("tool_call_id");
            messages.add(new ChatMessage(r, content(mf, at)));
        }
        return messages;
    }

    /** The messages as the model's own template reads them: each one as sent, its content's text parts joined. */
    private List<Map<String, Object>> plainMessages(Fields f) {
        List<ChatMessage> checked = messages(f);
        JsonNode node = f.node("messages").orElseThrow();
        List<Map<String, Object>> plain = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = JSON.convertValue(node.get(i), LinkedHashMap.class);
            if (m.get("content") instanceof List<?>) {
                m.put("content", checked.get(i).content());
            }
            ToolFields.toTemplate(m, node.get(i), "messages[" + i + "]");
            plain.add(m);
        }
        return plain;
    }

    /** A message's content: a string, or an array of text parts joined. */
    private static String content(Fields m, String at) {
        JsonNode c = m.node("content").orElse(null);
        if (c == null) {
            return "";
        }
        if (c.isTextual()) {
            return c.textValue();
        }
        if (c.isArray()) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < c.size(); i++) {
                Fields part = Fields.of(c.get(i), RequestShape.CONTENT_PART, at + ".content[" + i + "]");
                String t = part.string("text").orElse(null);
                if (!part.string("type").orElse("").equals("text") || t == null) {
                    throw ApiException.invalid(at + ".content", "only text parts ({\"type\": \"text\", \"text\": ...}) are supported");
                }
                text.append(t);
            }
            return text.toString();
        }
        throw Fields.wrongType(at + ".content", "a string or an array of text parts", c);
    }

    private static int checkTop(String name, int n) {
        if (n > MAX_TOP_LOGPROBS) {
            throw ApiException.invalid(name, "'" + name + "' must be at most " + MAX_TOP_LOGPROBS + ", got " + n);
        }
        return n;
    }
}
