package dev.jgpt.tools;

import dev.jgpt.JgptException;
import dev.jgpt.Quoted;
import dev.jgpt.constrain.Grammar;
import dev.jgpt.constrain.JsonSchema;
import java.util.List;

/**
 * The tools a chat lets the model call, and how its answer is read back into calls.
 *
 * @param parallel whether an answer may hold more than one call (OpenAI's {@code parallel_tool_calls})
 */
public record ToolUse(List<ToolSpec> tools, ToolCallFormat format, boolean parallel) {
    public ToolUse {
        tools = List.copyOf(tools);
    }

    /** The calls of {@code answer}, or null when it holds none, a malformed one or one of a function not offered: it is content then. */
    public ToolCallText read(String answer) {
        ToolCallText found = format.parse(answer);
        if (found == null || !found.calls().stream().allMatch(c -> tools.stream().anyMatch(t -> t.name().equals(c.name())))) {
            return null;
        }
        return parallel ? found : new ToolCallText(found.content(), found.calls().subList(0, 1));
    }

    /**
     * The grammar of an answer that is exactly one call of one of {@code forced} (some of the
     * {@link #tools}), in this family's form, its arguments keeping to the function's schema.
     *
     * @throws UnenforceableSchema when a forced function's schema has what constrained decoding cannot enforce
     */
    public Grammar oneCallOf(List<ToolSpec> forced) {
        for (ToolSpec tool : forced) {
            try {
                JsonSchema.compile(tool.parameters());
            } catch (JgptException e) {
                throw new UnenforceableSchema(tool, e.getMessage());
            }
        }
        return format.oneCall(forced);
    }

    /** A forced function whose parameters' schema the automaton cannot hold a call to; {@link #tool} says which. */
    public static final class UnenforceableSchema extends JgptException {
        private final transient ToolSpec tool;

        UnenforceableSchema(ToolSpec tool, String problem) {
            super("the parameters of tool " + Quoted.of(tool.name()) + ": " + problem);
            this.tool = tool;
        }

        public ToolSpec tool() {
            return tool;
        }
    }
}
