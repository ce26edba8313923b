package dev.jgpt.jinja;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.tag.ForTag;
import com.hubspot.jinjava.tree.TagNode;
import com.hubspot.jinjava.util.ForLoop;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;

/**
 * Jinjava's {@code for} with two things of jinja2's: a TypeError for a value that cannot be looped
 * over (Jinjava loops once over it), and {@code loop.previtem}/{@code loop.nextitem}.
 */
final class PythonForTag extends ForTag {
    /** The items of the loops under way on this thread, innermost last. */
    private static final ThreadLocal<Deque<List<?>>> ITEMS = ThreadLocal.withInitial(ArrayDeque::new);

    @Override
    public String renderForCollection(TagNode tagNode, JinjavaInterpreter interpreter, List<String> loopVars, Object collection) {
        if (collection == PythonNone.NONE || collection instanceof Number || collection instanceof Boolean) {
            throw new TemplateTypeError("'" + PythonValues.typeName(collection) + "' object is not iterable");
        }
        if (!(collection instanceof Collection<?> items)) {
            return super.renderForCollection(tagNode, interpreter, loopVars, collection);
        }
        List<?> list = new ArrayList<>(items);
        ITEMS.get().push(list);
        try {
            return super.renderForCollection(tagNode, interpreter, loopVars, list);
        } finally {
            ITEMS.get().pop();
        }
    }

    /** The item {@code offset} places from the current one of the innermost loop, {@code loop}; null (undefined) past either end. */
    static Object neighbour(ForLoop loop, int offset) {
        List<?> items = ITEMS.get().peek();
        int at = loop.getIndex0() + offset;
        return items == null || at < 0 || at >= items.size() ? null : items.get(at);
    }
}
