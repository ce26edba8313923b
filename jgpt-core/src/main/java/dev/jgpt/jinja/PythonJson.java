package dev.jgpt.jinja;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.Map;

/**
 * Values as Python's {@code json.dumps(value, ensure_ascii=False, indent=indent)} writes them,
 * which is what Hugging Face's {@code tojson} filter is: keys in their own order, non-ASCII text
 * as it is, {@code ", "} and {@code ": "} between items (only {@code ","} at line ends when indented).
 */
final class PythonJson {
    private PythonJson() {
    }

    /**
     * @param indent null for one line, else the text of one level of indentation
     * @throws TemplateTypeError for a value JSON cannot hold (as Python's TypeError)
     */
    static String dumps(Object value, String indent) {
        StringBuilder out = new StringBuilder();
        write(PythonValues.unwrap(value), indent, 0, out);
        return out.toString();
    }

    private static void write(Object value, String indent, int depth, StringBuilder out) {
        switch (value) {
            case null -> out.append("null");
            case Boolean b -> out.append(b ? "true" : "false");
            case CharSequence s -> string(s.toString(), out);
            case Number n -> out.append(PythonValues.number(n));
            case Map<?, ?> map -> {
                if (map.isEmpty()) {
                    out.append("{}");
                    return;
                }
                out.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    separate(first, indent, depth + 1, out);
                    first = false;
                    Object key = PythonValues.unwrap(e.getKey());
                    string(key instanceof String s ? s : PythonValues.str(key), out);
                    out.append(": ");
                    write(PythonValues.unwrap(e.getValue()), indent, depth + 1, out);
                }
                close(indent, depth, out).append('}');
            }
            case Map.Entry<?, ?> pair -> write(Arrays.asList(pair.getKey(), pair.getValue()), indent, depth, out); // a tuple
            case Iterable<?> list when PythonValues.isSequence(list) -> {
                if (!list.iterator().hasNext()) {
                    out.append("[]");
                    return;
                }
                out.append('[');
                boolean first = true;
                for (Object item : list) {
                    separate(first, indent, depth + 1, out);
                    first = false;
                    write(PythonValues.unwrap(item), indent, depth + 1, out);
                }
                close(indent, depth, out).append(']');
            }
            default -> throw new TemplateTypeError("Object of type " + PythonValues.typeName(value) + " is not JSON serializable");
        }
    }

    private static void separate(boolean first, String indent, int depth, StringBuilder out) {
        if (indent == null) {
            out.append(first ? "" : ", ");
        } else {
            out.append(first ? "\n" : ",\n").append(indent.repeat(depth));
        }
    }

    private static StringBuilder close(String indent, int depth, StringBuilder out) {
        return indent == null ? out : out.append('\n').append(indent.repeat(depth));
    }

    private static void string(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /** Python's {@code repr} of a float: the shortest digits that read back, exponent form below 1e-4 and from 1e16. */
    static String floatRepr(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        if (d == 0) {
            return (1 / d < 0) ? "-0.0" : "0.0";
        }
        BigDecimal exact = new BigDecimal(Double.toString(d)).stripTrailingZeros();
        String digits = exact.unscaledValue().abs().toString();
        int exponent = digits.length() - 1 - exact.scale(); // of the first digit
        String sign = d < 0 ? "-" : "";
        if (exponent < -4 || exponent >= 16) {
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + String.format("%02d", Math.abs(exponent));
        }
        String plain = exact.abs().toPlainString();
        return sign + (plain.contains(".") ? plain : plain + ".0");
    }
}
