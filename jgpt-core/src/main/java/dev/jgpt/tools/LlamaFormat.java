package dev.jgpt.tools;

import dev.jgpt.constrain.Framed;
import dev.jgpt.constrain.Grammar;
import java.util.List;

/**
 * Llama 3.x: the answer is one JSON object {@code {"name", "parameters"}} (or a list of them),
 * after {@code <|python_tag|>} when the model writes it; text before the tag is content.
 */
final class LlamaFormat implements ToolCallFormat {
    static final String PYTHON_TAG = "<|python_tag|>";

    @Override
    public ToolCallText parse(String text) {
        int tag = text.indexOf(PYTHON_TAG);
        String before = tag >= 0 ? text.substring(0, tag) : "";
        List<ToolCall> calls = CallJson.calls(CallJson.parse(tag >= 0 ? text.substring(tag + PYTHON_TAG.length()) : text));
        return calls == null ? null : ToolCallText.of(before, calls);
    }

    @Override
    public int holdFrom(String text) {
        return Math.min(CallJson.holdMarker(text, PYTHON_TAG), CallJson.holdLeadingJson(text));
    }

    @Override
    public Grammar oneCall(List<ToolSpec> tools) {
        return new Framed("", CallJson.callSchema(tools, "parameters"), "");
    }
}
