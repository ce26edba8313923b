package dev.jgpt.tools;

import dev.jgpt.constrain.Framed;
import dev.jgpt.constrain.Grammar;
import java.util.ArrayList;
import java.util.List;

/** Hermes and Qwen: each call a JSON object {@code {"name", "arguments"}} between {@code <tool_call>} and {@code </tool_call>}. */
final class HermesFormat implements ToolCallFormat {
    static final String OPEN = "<tool_call>";
    static final String CLOSE = "</tool_call>";

    @Override
    public ToolCallText parse(String text) {
        List<ToolCall> calls = new ArrayList<>();
        StringBuilder outside = new StringBuilder();
        int at = 0;
        for (int open = text.indexOf(OPEN); open >= 0; open = text.indexOf(OPEN, at)) {
            outside.append(text, at, open);
            int close = text.indexOf(CLOSE, open);
            // the answer may end right after the last call's JSON, its closing tag cut by a stop
            int end = close >= 0 ? close : text.length();
            List<ToolCall> found = CallJson.calls(CallJson.parse(text.substring(open + OPEN.length(), end)));
            if (found == null) {
                return null;
            }
            calls.addAll(found);
            at = close >= 0 ? close + CLOSE.length() : text.length();
        }
        outside.append(text, at, text.length());
        return calls.isEmpty() ? null : ToolCallText.of(outside.toString(), calls);
    }

    @Override
    public int holdFrom(String text) {
        return CallJson.holdMarker(text, OPEN);
    }

    @Override
    public Grammar oneCall(List<ToolSpec> tools) {
        return new Framed(OPEN + "\n", CallJson.callSchema(tools, "arguments"), "\n" + CLOSE);
    }
}
