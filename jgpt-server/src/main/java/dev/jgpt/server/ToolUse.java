package dev.jgpt.server;

import java.util.List;

/**
 * The tools a chat request lets the model call, and how its answer is read back into calls.
 *
 * @param parallel whether an answer may hold more than one call (OpenAI's {@code parallel_tool_calls})
 */
record ToolUse(List<ToolSpec> tools, ToolCallFormat format, boolean parallel) {
    /** The calls of {@code answer}, or null when it holds none, a malformed one or one of a function not offered: it is content then. */
    ToolCallText read(String answer) {
        ToolCallText found = format.parse(answer);
        if (found == null || !found.calls().stream().allMatch(c -> tools.stream().anyMatch(t -> t.name().equals(c.name())))) {
            return null;
        }
        return parallel ? found : new ToolCallText(found.content(), found.calls().subList(0, 1));
    }
}
