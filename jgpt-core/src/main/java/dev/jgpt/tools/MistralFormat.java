package dev.jgpt.tools;

import dev.jgpt.constrain.Framed;
import dev.jgpt.constrain.Grammar;
import java.util.List;

/** Mistral: {@code [TOOL_CALLS]} and a JSON array of {@code {"name", "arguments"}} objects, after any text. */
final class MistralFormat implements ToolCallFormat {
    static final String MARKER = "[TOOL_CALLS]";

    @Override
    public ToolCallText parse(String text) {
        int marker = text.indexOf(MARKER);
        if (marker < 0) {
            return null;
        }
        List<ToolCall> calls = CallJson.calls(CallJson.parse(text.substring(marker + MARKER.length())));
        return calls == null ? null : ToolCallText.of(text.substring(0, marker), calls);
    }

    @Override
    public int holdFrom(String text) {
        return CallJson.holdMarker(text, MARKER);
    }

    @Override
    public Grammar oneCall(List<ToolSpec> tools) {
        return new Framed(MARKER + " [", CallJson.callSchema(tools, "arguments"), "]");
    }
}
