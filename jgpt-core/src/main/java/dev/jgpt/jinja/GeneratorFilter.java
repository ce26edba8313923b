package dev.jgpt.jinja;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import java.util.List;
import java.util.Map;

/** One of Jinjava's filters that give a list where jinja2's give a generator, its result as a {@link PythonGenerator}. */
final class GeneratorFilter implements Filter {
    private final Filter filter;

    GeneratorFilter(Filter filter) {
        this.filter = filter;
    }

    @Override
    public String getName() {
        return filter.getName();
    }

    @Override
    public Object filter(Object value, JinjavaInterpreter interpreter, String... args) {
        return generator(filter.filter(value, interpreter, args));
    }

    @Override
    public Object filter(Object value, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
        return generator(filter.filter(value, interpreter, args, kwargs));
    }

    private static Object generator(Object result) {
        return result instanceof List<?> list ? new PythonGenerator(list) : result;
    }
}
