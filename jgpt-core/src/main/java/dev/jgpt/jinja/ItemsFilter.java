package dev.jgpt.jinja;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** jinja2's {@code items}: a mapping's (key, value) pairs in order; nothing for an undefined value. */
final class ItemsFilter implements PythonFilter {
    @Override
    public String getName() {
        return "items";
    }

    @Override
    public Object filter(Object value, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw new TemplateTypeError("Can only get item pairs from a mapping.");
        }
        List<Map.Entry<?, ?>> pairs = new ArrayList<>();
        map.forEach((k, v) -> pairs.add(new AbstractMap.SimpleImmutableEntry<>(k, v)));
        return new PythonGenerator(pairs);
    }
}
