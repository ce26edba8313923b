package dev.jgpt.jinja;

import com.hubspot.jinjava.objects.serialization.PyishSerializable;
import com.hubspot.jinjava.util.HasObjectTruthValue;

/**
 * Python's {@code None}, kept apart from Java's null, which stands for jinja2's Undefined: a
 * template may test, print and compare both, but only None is defined, prints "None" and fails
 * when iterated or added to a string.
 */
enum PythonNone implements HasObjectTruthValue, PyishSerializable {
    NONE;

    @Override
    public boolean getObjectTruthValue() {
        return false;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T extends Appendable & CharSequence> T appendPyishString(T appendable) throws java.io.IOException {
        return (T) appendable.append(toString());
    }

    @Override
    public String toString() {
        return "None";
    }
}
