package dev.jgpt.jinja;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.util.ObjectTruthValue;
import java.util.List;
import java.util.Map;

/** jinja2's {@code indent(width=4, first=False, blank=False)}; a string width is the indentation itself. */
final class IndentFilter implements PythonFilter {
    @Override
    public String getName() {
        return "indent";
    }

    @Override
    public Object filter(Object value, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
        Object width = PythonFilter.argument(args, kwargs, 0, "width", 4L);
        String indent = width instanceof Number n ? " ".repeat(n.intValue()) : PythonValues.str(width);
        boolean first = ObjectTruthValue.evaluate(PythonFilter.argument(args, kwargs, 1, "first", false));
        boolean blank = ObjectTruthValue.evaluate(PythonFilter.argument(args, kwargs, 2, "blank", false));
        // as jinja2 does: a newline appended, then the lines as str.splitlines gives them
        List<String> lines = PythonText.splitLines(PythonValues.str(value) + "\n");
        StringBuilder out = new StringBuilder(first ? indent : "").append(lines.getFirst());
        for (String line : lines.subList(1, lines.size())) {
            out.append('\n').append(blank || !line.isEmpty() ? indent : "").append(line);
        }
        return out.toString();
    }
}
