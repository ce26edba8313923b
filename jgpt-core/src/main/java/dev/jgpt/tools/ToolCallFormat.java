package dev.jgpt.tools;

import dev.jgpt.constrain.Grammar;
import dev.jgpt.generate.ChatTemplate;
import dev.jgpt.generate.JinjaTemplate;
import java.util.List;

/**
 * How a model family writes tool calls in its answer: how to read them back, which text may
 * still become one while it streams, and the grammar that forces exactly one. The format is
 * picked once per model from the markers its chat template writes.
 */
public interface ToolCallFormat {
    /** The calls in {@code text} with the text outside them; null when it holds no well-formed call. */
    ToolCallText parse(String text);

    /**
     * Where the part of {@code text} begins that is, or may still become, a call: the text before
     * it can be sent as content ({@code text.length()} when none).
     */
    int holdFrom(String text);

    /** The answers that are exactly one call of one of {@code tools}, its arguments keeping to the function's schema. */
    Grammar oneCall(List<ToolSpec> tools);

    /** The format of the family {@code template} belongs to; the plain JSON form for a template that shows none. */
    static ToolCallFormat of(ChatTemplate template) {
        String source = template instanceof JinjaTemplate jinja ? String.join("\n", jinja.sources().byName().values()) : "";
        if (source.contains(HermesFormat.OPEN)) {
            return new HermesFormat();
        }
        if (source.contains(MistralFormat.MARKER)) {
            return new MistralFormat();
        }
        if (source.contains(LlamaFormat.PYTHON_TAG) || source.contains("<|start_header_id|>")) {
            return new LlamaFormat();
        }
        return new JsonFormat();
    }
}
