package dev.jgpt.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jgpt.generate.FinishReason;
import dev.jgpt.tokenizer.Tokenizer;
import dev.jgpt.tools.ToolCall;
import dev.jgpt.tools.ToolCallText;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The JSON of one answer in OpenAI's shapes: a {@code text_completion} or {@code chat.completion}
 * object, or the chunks of a stream ({@code text_completion} / {@code chat.completion.chunk}),
 * all with the same id and creation time.
 */
final class Reply {
    private final ObjectMapper json;
    private final Tokenizer tokenizer;
    private final GenerationRequest request;
    private final String model;
    private final String id;
    private final long created;
    private static final String TOOL_CALLS = "tool_calls";
    /** Characters of a call's arguments per streamed chunk. */
    private static final int ARGUMENT_PIECE = 16;

    private int textOffset;

    Reply(ObjectMapper json, Tokenizer tokenizer, GenerationRequest request, String model) {
        this.json = json;
        this.tokenizer = tokenizer;
        this.request = request;
        this.model = model;
        this.id = (request.chat() ? "chatcmpl-" : "cmpl-") + randomHex();
        this.created = System.currentTimeMillis() / 1000;
    }

    /** The whole answer at once. */
    ObjectNode complete(List<Job.Token> tokens, Job.Done done) {
        StringBuilder text = new StringBuilder();
        tokens.forEach(t -> text.append(t.text()));
        ObjectNode root = header(request.chat() ? "chat.completion" : "text_completion");
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        ToolCallText calls = request.tools() == null ? null : request.tools().read(text.toString());
        if (request.chat()) {
            ObjectNode message = choice.putObject("message");
            message.put("role", "assistant");
            message.put("content", calls == null ? text.toString() : calls.content());
            message.putNull("refusal");
            if (calls != null) {
                ArrayNode toolCalls = message.putArray("tool_calls");
                for (ToolCall call : calls.calls()) {
                    ObjectNode entry = toolCalls.addObject();
                    entry.put("id", ToolCall.newId());
                    entry.put("type", "function");
                    entry.putObject("function").put("name", call.name()).put("arguments", call.arguments());
                }
            }
        } else {
            choice.put("text", text.toString());
        }
        choice.set("logprobs", request.logprobs() ? logprobs(tokens) : json.nullNode());
        choice.put("finish_reason", calls != null ? TOOL_CALLS : finishReason(done.finish()));
        root.set("usage", usage(done));
        return root;
    }

    /** A chat stream's first chunk: the assistant's role, no text yet. */
    ObjectNode roleChunk() {
        ObjectNode root = chunkHeader();
        ObjectNode choice = choice(root);
        ObjectNode delta = choice.putObject("delta");
        delta.put("role", "assistant");
        delta.put("content", "");
        choice.putNull("logprobs");
        choice.putNull("finish_reason");
        return root;
    }

    /** The chunk of {@code text}, the text of {@code tokens} or the part of it that is content. */
    ObjectNode tokenChunk(String text, List<Job.Token> tokens) {
        ObjectNode root = chunkHeader();
        ObjectNode choice = choice(root);
        if (request.chat()) {
            choice.putObject("delta").put("content", text);
        } else {
            choice.put("text", text);
        }
        choice.set("logprobs", request.logprobs() ? logprobs(tokens) : json.nullNode());
        choice.putNull("finish_reason");
        return root;
    }

    /**
     * The chunks of the calls a streamed answer made, as OpenAI streams them: per call, one with
     * its index, id, type and name, then its arguments in pieces.
     */
    List<ObjectNode> toolCallChunks(List<ToolCall> calls) {
        List<ObjectNode> chunks = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
            ToolCall call = calls.get(i);
            ObjectNode first = toolCallDelta(chunks, i);
            first.put("id", ToolCall.newId());
            first.put("type", "function");
            first.putObject("function").put("name", call.name()).put("arguments", "");
            String arguments = call.arguments();
            for (int at = 0; at < arguments.length(); ) {
                int end = arguments.offsetByCodePoints(at, Math.min(ARGUMENT_PIECE, arguments.codePointCount(at, arguments.length())));
                toolCallDelta(chunks, i).putObject("function").put("arguments", arguments.substring(at, end));
                at = end;
            }
        }
        return chunks;
    }

    private ObjectNode toolCallDelta(List<ObjectNode> chunks, int index) {
        ObjectNode root = chunkHeader();
        ObjectNode choice = choice(root);
        ObjectNode call = choice.putObject("delta").putArray("tool_calls").addObject();
        call.put("index", index);
        choice.putNull("logprobs");
        choice.putNull("finish_reason");
        chunks.add(root);
        return call;
    }

    /** The chunk that says why generation ended; {@code calledTools}: it ended with tool calls. */
    ObjectNode finishChunk(Job.Done done, boolean calledTools) {
        ObjectNode root = chunkHeader();
        ObjectNode choice = choice(root);
        if (request.chat()) {
            choice.putObject("delta");
        } else {
            choice.put("text", "");
        }
        choice.putNull("logprobs");
        choice.put("finish_reason", calledTools ? TOOL_CALLS : finishReason(done.finish()));
        return root;
    }

    /** The last chunk when the client asked for usage: no choices, the counts. */
    ObjectNode usageChunk(Job.Done done) {
        ObjectNode root = header(chunkObject());
        root.putArray("choices");
        root.set("usage", usage(done));
        return root;
    }

    private static String randomHex() {
        byte[] random = new byte[12];
        ThreadLocalRandom.current().nextBytes(random);
        return HexFormat.of().formatHex(random);
    }

    private ObjectNode chunkHeader() {
        ObjectNode root = header(chunkObject());
        if (request.includeUsage()) {
            root.putNull("usage");
        }
        return root;
    }

    private String chunkObject() {
        return request.chat() ? "chat.completion.chunk" : "text_completion";
    }

    private static ObjectNode choice(ObjectNode root) {
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        return choice;
    }

    private ObjectNode header(String object) {
        ObjectNode root = json.createObjectNode();
        root.put("id", id);
        root.put("object", object);
        root.put("created", created);
        root.put("model", model);
        root.put("system_fingerprint", "jgpt");
        return root;
    }

    private ObjectNode usage(Job.Done done) {
        ObjectNode usage = json.createObjectNode();
        usage.put("prompt_tokens", done.promptTokens());
        usage.put("completion_tokens", done.completionTokens());
        usage.put("total_tokens", done.promptTokens() + done.completionTokens());
        usage.putObject("prompt_tokens_details").put("cached_tokens", done.cachedTokens());
        if (request.clamped()) {
            usage.put("max_tokens_clamped_to", request.settings().maxTokens());
        }
        return usage;
    }

    /** OpenAI reports "stop" (end of text or a stop string) or "length" (token limit or full context). */
    static String finishReason(FinishReason finish) {
        return switch (finish) {
            case STOP, CANCELLED -> "stop";
            case LENGTH, CONTEXT_FULL -> "length";
        };
    }

    private ObjectNode logprobs(List<Job.Token> tokens) {
        return request.chat() ? chatLogprobs(tokens) : completionLogprobs(tokens);
    }

    /** Chat: {@code {"content": [{token, logprob, bytes, top_logprobs: [{token, logprob, bytes}]}], "refusal": null}}. */
    private ObjectNode chatLogprobs(List<Job.Token> tokens) {
        ObjectNode root = json.createObjectNode();
        ArrayNode content = root.putArray("content");
        for (Job.Token t : tokens) {
            TokenLogprob lp = t.logprob();
            ObjectNode entry = tokenEntry(content.addObject(), lp.id(), lp.logprob());
            ArrayNode top = entry.putArray("top_logprobs");
            for (int k = 0; k < lp.topIds().length; k++) {
                tokenEntry(top.addObject(), lp.topIds()[k], lp.topLogprobs()[k]);
            }
        }
        root.putNull("refusal");
        return root;
    }

    private ObjectNode tokenEntry(ObjectNode entry, int tokenId, float logprob) {
        byte[] bytes = tokenizer.tokenBytes(tokenId);
        entry.put("token", new String(bytes, StandardCharsets.UTF_8));
        entry.put("logprob", logprob);
        ArrayNode b = entry.putArray("bytes");
        for (byte x : bytes) {
            b.add(x & 0xFF);
        }
        return entry;
    }

    /**
     * Completions: {@code {"tokens", "token_logprobs", "top_logprobs": [{token: logprob}], "text_offset"}}, offsets into the
     * new text; and {@code "token_ids"} (not OpenAI's), which the playground sends to {@code /v1/explain}.
     */
    private ObjectNode completionLogprobs(List<Job.Token> tokens) {
        ObjectNode root = json.createObjectNode();
        ArrayNode names = root.putArray("tokens");
        ArrayNode logprobs = root.putArray("token_logprobs");
        ArrayNode tops = root.putArray("top_logprobs");
        ArrayNode offsets = root.putArray("text_offset");
        ArrayNode ids = root.putArray("token_ids");
        for (Job.Token t : tokens) {
            TokenLogprob lp = t.logprob();
            String name = tokenText(lp.id());
            names.add(name);
            logprobs.add(lp.logprob());
            ObjectNode top = tops.addObject();
            for (int k = 0; k < lp.topIds().length; k++) {
                top.put(tokenText(lp.topIds()[k]), lp.topLogprobs()[k]);
            }
            offsets.add(textOffset);
            ids.add(lp.id());
            textOffset += name.length();
        }
        return root;
    }

    private String tokenText(int tokenId) {
        return new String(tokenizer.tokenBytes(tokenId), StandardCharsets.UTF_8);
    }
}
