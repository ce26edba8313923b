package dev.jgpt.jinja;

import com.hubspot.jinjava.util.HasObjectTruthValue;
import java.util.AbstractCollection;
import java.util.Iterator;
import java.util.List;

/**
 * What jinja2's {@code map}, {@code select}, {@code reject}, {@code selectattr} and {@code rejectattr}
 * give: a generator, which loops and goes through {@code |list} or {@code |join} like a list but is
 * no sequence, so {@code tojson} cannot write it.
 */
final class PythonGenerator extends AbstractCollection<Object> implements HasObjectTruthValue {
    private final List<?> items;

    PythonGenerator(List<?> items) {
        this.items = items;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Iterator<Object> iterator() {
        return (Iterator<Object>) items.iterator();
    }

    @Override
    public int size() {
        return items.size();
    }

    /** A generator is true, empty or not. */
    @Override
    public boolean getObjectTruthValue() {
        return true;
    }

    @Override
    public String toString() {
        return "<generator object>";
    }
}
