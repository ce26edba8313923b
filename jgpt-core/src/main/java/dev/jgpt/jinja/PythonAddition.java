package dev.jgpt.jinja;

import com.hubspot.jinjava.objects.SafeString;
import java.util.ArrayList;
import java.util.List;
import jinjava.de.odysseus.el.misc.NumberOperations;
import jinjava.de.odysseus.el.misc.TypeConverter;
import jinjava.de.odysseus.el.tree.Bindings;
import jinjava.de.odysseus.el.tree.impl.ast.AstBinary;
import jinjava.de.odysseus.el.tree.impl.ast.AstNode;
import jinjava.javax.el.ELContext;

/**
 * Python's {@code +}: strings with strings, lists with lists, numbers with numbers, and a TypeError
 * for any other pair (Jinjava would write None as "null" into a string, or a dict as its text); an
 * undefined operand is an UndefinedError. A string added to text marked {@code |safe} is
 * HTML-escaped, as jinja2's Markup does.
 */
enum PythonAddition implements AstBinary.Operator {
    OP;

    @Override
    public Object eval(Bindings bindings, ELContext context, AstNode left, AstNode right) {
        Object a = left.eval(bindings, context);
        Object b = right.eval(bindings, context);
        if (a == null) {
            throw Undefined.error(left, bindings, context);
        }
        if (b == null) {
            throw Undefined.error(right, bindings, context);
        }
        return add(a, b);
    }

    static Object add(Object a, Object b) {
        if ((a instanceof SafeString || b instanceof SafeString) && text(a) && text(b)) {
            return new SafeString(markup(a) + markup(b));
        }
        if (a instanceof String s && b instanceof String t) {
            return s + t;
        }
        if (a instanceof List<?> l && b instanceof List<?> m) {
            List<Object> sum = new ArrayList<>(l);
            sum.addAll(m);
            return sum;
        }
        if (number(a) && number(b)) {
            return NumberOperations.add(TypeConverter.DEFAULT, integer(a), integer(b));
        }
        String type = PythonValues.typeName(a);
        if (a instanceof CharSequence || a instanceof List<?>) {
            throw new TemplateTypeError("can only concatenate " + type + " (not \"" + PythonValues.typeName(b) + "\") to " + type);
        }
        throw new TemplateTypeError("unsupported operand type(s) for +: '" + type + "' and '" + PythonValues.typeName(b) + "'");
    }

    private static boolean text(Object value) {
        return value instanceof String || value instanceof SafeString;
    }

    private static boolean number(Object value) {
        return value instanceof Number || value instanceof Boolean;
    }

    /** A bool is an int in Python. */
    private static Object integer(Object value) {
        return value instanceof Boolean b ? (b ? 1L : 0L) : value;
    }

    /** Text as it goes into Markup: safe text as it is, any other string HTML-escaped (markupsafe's escape). */
    private static String markup(Object value) {
        if (value instanceof SafeString s) {
            return s.toString();
        }
        StringBuilder out = new StringBuilder();
        for (char c : ((String) value).toCharArray()) {
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&#34;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
