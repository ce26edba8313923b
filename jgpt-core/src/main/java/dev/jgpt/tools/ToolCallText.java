package dev.jgpt.tools;

import java.util.List;

/**
 * A model's answer split into the calls it holds and the text outside them.
 *
 * @param content the text outside the calls; null when it is blank
 * @param calls   at least one call
 */
public record ToolCallText(String content, List<ToolCall> calls) {
    public static ToolCallText of(String outside, List<ToolCall> calls) {
        return new ToolCallText(outside.isBlank() ? null : outside, List.copyOf(calls));
    }
}
