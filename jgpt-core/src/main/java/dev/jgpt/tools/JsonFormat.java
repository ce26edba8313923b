package dev.jgpt.tools;

import dev.jgpt.constrain.Framed;
import dev.jgpt.constrain.Grammar;
import java.util.List;

/** The form for a template that shows no family's markers: the whole answer one JSON call {@code {"name", "arguments"}} or a list of them. */
final class JsonFormat implements ToolCallFormat {
    @Override
    public ToolCallText parse(String text) {
        List<ToolCall> calls = CallJson.calls(CallJson.parse(text));
        return calls == null ? null : ToolCallText.of("", calls);
    }

    @Override
    public int holdFrom(String text) {
        return CallJson.holdLeadingJson(text);
    }

    @Override
    public Grammar oneCall(List<ToolSpec> tools) {
        return new Framed("", CallJson.callSchema(tools, "arguments"), "");
    }
}
