package dev.jgpt.jinja;

import com.hubspot.jinjava.objects.SafeString;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Jinja values as Python sees them: their {@code str()}, their type names, numbers written as Python writes them. */
final class PythonValues {
    private PythonValues() {
    }

    /** The plain value behind Jinjava's wrappers; None as null. */
    static Object unwrap(Object value) {
        return value instanceof SafeString s ? s.toString() : value == PythonNone.NONE ? null : value;
    }

    /** A plain Java value (maps, lists, strings, numbers, booleans, null) as the template sees it: null is None. */
    static Object fromJava(Object value) {
        return switch (value) {
            case null -> PythonNone.NONE;
            case Map<?, ?> map -> {
                Map<Object, Object> copy = new LinkedHashMap<>();
                map.forEach((k, v) -> copy.put(k, fromJava(v)));
                yield copy;
            }
            case List<?> list -> {
                List<Object> copy = new ArrayList<>();
                list.forEach(item -> copy.add(fromJava(item)));
                yield copy;
            }
            default -> value;
        };
    }

    /** Python's {@code str(value)}: what {@code {{ value }}} prints. */
    static String str(Object value) {
        Object v = unwrap(value);
        return v instanceof CharSequence s ? s.toString() : repr(v);
    }

    /** Python's {@code repr(value)}. */
    static String repr(Object value) {
        StringBuilder out = new StringBuilder();
        repr(unwrap(value), out);
        return out.toString();
    }

    private static void repr(Object value, StringBuilder out) {
        switch (value) {
            case null -> out.append("None");
            case Boolean b -> out.append(b ? "True" : "False");
            case CharSequence s -> stringRepr(s.toString(), out);
            case Number n -> out.append(number(n));
            case Map.Entry<?, ?> pair -> {
                out.append('(');
                repr(unwrap(pair.getKey()), out);
                out.append(", ");
                repr(unwrap(pair.getValue()), out);
                out.append(')');
            }
            case Map<?, ?> map -> {
                out.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    out.append(first ? "" : ", ");
                    first = false;
                    repr(unwrap(e.getKey()), out);
                    out.append(": ");
                    repr(unwrap(e.getValue()), out);
                }
                out.append('}');
            }
            case Iterable<?> list -> {
                out.append('[');
                boolean first = true;
                for (Object item : list) {
                    out.append(first ? "" : ", ");
                    first = false;
                    repr(unwrap(item), out);
                }
                out.append(']');
            }
            default -> out.append(value);
        }
    }

    private static void stringRepr(String s, StringBuilder out) {
        char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        out.append(quote);
        s.codePoints().forEach(c -> {
            if (c == quote || c == '\\') {
                out.append('\\').append((char) c);
            } else if (c == '\n') {
                out.append("\\n");
            } else if (c == '\r') {
                out.append("\\r");
            } else if (c == '\t') {
                out.append("\\t");
            } else if (!printable(c)) {
                out.append(c < 0x100 ? String.format("\\x%02x", c) : c < 0x10000 ? String.format("\\u%04x", c) : String.format("\\U%08x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        out.append(quote);
    }

    /** Python's {@code str.isprintable} for one character: not a control, format, separator (but space) or unassigned one. */
    private static boolean printable(int c) {
        return switch (Character.getType(c)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE, Character.UNASSIGNED,
                 Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> false;
            case Character.SPACE_SEPARATOR -> c == ' ';
            default -> true;
        };
    }

    /** An int as digits, a float as Python's repr ({@code 1.0}, {@code 1e-05}). */
    static String number(Number n) {
        if (n instanceof Double || n instanceof Float) {
            return PythonJson.floatRepr(n.doubleValue());
        }
        if (n instanceof BigDecimal d) {
            return PythonJson.floatRepr(d.doubleValue());
        }
        return n instanceof BigInteger ? n.toString() : Long.toString(n.longValue());
    }

    /** Python's name for the type of {@code value}, for error messages. */
    static String typeName(Object value) {
        return switch (unwrap(value)) {
            case null -> "NoneType";
            case Boolean b -> "bool";
            case CharSequence s -> "str";
            case Double d -> "float";
            case Float f -> "float";
            case BigDecimal d -> "float";
            case Number n -> "int";
            case Map<?, ?> m -> "dict";
            case List<?> l -> "list";
            case PythonGenerator g -> "generator";
            case Object o -> o.getClass().getSimpleName();
        };
    }

    /** Lists and tuples, which JSON holds as arrays (a generator is no sequence). */
    static boolean isSequence(Iterable<?> value) {
        return value instanceof List<?>;
    }
}
