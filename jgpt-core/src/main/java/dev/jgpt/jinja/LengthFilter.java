package dev.jgpt.jinja;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import java.util.Map;

/** Jinjava's {@code length} (or {@code count}), a TypeError for what has no {@code len()} in Python: None, numbers, generators. */
final class LengthFilter implements PythonFilter {
    private final Filter filter;

    LengthFilter(Filter filter) {
        this.filter = filter;
    }

    @Override
    public String getName() {
        return filter.getName();
    }

    @Override
    public Object filter(Object value, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
        if (value == PythonNone.NONE || value instanceof Number || value instanceof Boolean || value instanceof PythonGenerator) {
            throw new TemplateTypeError("object of type '" + PythonValues.typeName(value) + "' has no len()");
        }
        return filter.filter(value, interpreter, args, kwargs);
    }
}
