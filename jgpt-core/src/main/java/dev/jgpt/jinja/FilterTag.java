package dev.jgpt.jinja;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.tree.Node;
import com.hubspot.jinjava.tree.TagNode;

/** jinja2's {@code {% filter name %}...{% endfilter %}}: the block's output through a filter (one without arguments). */
final class FilterTag implements com.hubspot.jinjava.lib.tag.Tag {
    @Override
    public String getName() {
        return "filter";
    }

    @Override
    public String getEndTagName() {
        return "endfilter";
    }

    @Override
    public String interpret(TagNode tag, JinjavaInterpreter interpreter) {
        StringBuilder body = new StringBuilder();
        for (Node child : tag.getChildren()) {
            body.append(child.render(interpreter).getValue());
        }
        String name = tag.getHelpers().trim();
        Filter filter = interpreter.getContext().getFilter(name);
        if (filter == null) {
            throw new TemplateTypeError("no filter named '" + name + "'");
        }
        return PythonValues.str(filter.filter(body.toString(), interpreter));
    }
}
