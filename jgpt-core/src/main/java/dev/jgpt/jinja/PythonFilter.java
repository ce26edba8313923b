package dev.jgpt.jinja;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import java.util.Map;

/** A filter taking its arguments as a Python function does: by position or by name. */
interface PythonFilter extends Filter {
    @Override
    Object filter(Object value, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs);

    @Override
    default Object filter(Object value, JinjavaInterpreter interpreter, String... args) {
        return filter(value, interpreter, args, Map.of());
    }

    /** The argument at {@code position} or named {@code name}, else {@code otherwise}; None as null. */
    static Object argument(Object[] args, Map<String, Object> kwargs, int position, String name, Object otherwise) {
        Object value = kwargs.containsKey(name) ? kwargs.get(name) : position < args.length ? args[position] : otherwise;
        return PythonValues.unwrap(value);
    }
}
