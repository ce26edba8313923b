package dev.jgpt.jinja;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.tag.ForTag;
import com.hubspot.jinjava.tree.TagNode;
import java.util.List;

/** Jinjava's {@code for}, which loops once over a value that is no collection; Python raises a TypeError, as here. */
final class PythonForTag extends ForTag {
    @Override
    public String renderForCollection(TagNode tagNode, JinjavaInterpreter interpreter, List<String> loopVars, Object collection) {
        if (collection == PythonNone.NONE || collection instanceof Number || collection instanceof Boolean) {
            throw new TemplateTypeError("'" + PythonValues.typeName(collection) + "' object is not iterable");
        }
        return super.renderForCollection(tagNode, interpreter, loopVars, collection);
    }
}
