package dev.jgpt.jinja;

import com.hubspot.jinjava.util.ForLoop;
import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * The Python methods chat templates call on strings ({@code .strip()}, {@code .startswith(...)},
 * {@code .split()}, ...) and on dicts ({@code .get(key, default)}), with Python's semantics: Jinjava
 * would otherwise call Java's methods of the same name, or find none. Any other call goes on to
 * Jinjava's own resolvers. Also the loop's neighbours, {@code loop.previtem} and {@code loop.nextitem}.
 */
final class PythonMethods extends ELResolver {
    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
        Object[] args = params == null ? new Object[0] : params;
        Object b = PythonValues.unwrap(base);
        Object result;
        if (b instanceof String s) {
            result = stringMethod(s, String.valueOf(method), args);
        } else if (b instanceof Map<?, ?> map && "get".equals(method) && (args.length == 1 || args.length == 2)) {
            result = map.containsKey(PythonValues.unwrap(args[0])) ? map.get(PythonValues.unwrap(args[0])) : args.length == 2 ? args[1] : PythonNone.NONE;
        } else {
            return null;
        }
        context.setPropertyResolved(true);
        return result;
    }

    private static Object stringMethod(String s, String method, Object[] args) {
        return switch (method) {
            case "strip" -> PythonText.strip(s, chars(args), true, true);
            case "lstrip" -> PythonText.strip(s, chars(args), true, false);
            case "rstrip" -> PythonText.strip(s, chars(args), false, true);
            case "startswith" -> anyOf(args, s::startsWith);
            case "endswith" -> anyOf(args, s::endsWith);
            case "upper" -> s.toUpperCase(Locale.ROOT);
            case "lower" -> s.toLowerCase(Locale.ROOT);
            case "title" -> PythonText.title(s);
            case "capitalize" -> s.isEmpty() ? s : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1).toLowerCase(Locale.ROOT);
            case "replace" -> PythonText.replace(s, str(args, 0), str(args, 1), args.length > 2 ? ((Number) args[2]).intValue() : -1);
            case "split" -> PythonText.split(s, args.length > 0 && PythonValues.unwrap(args[0]) != null ? str(args, 0) : null,
                    args.length > 1 ? ((Number) args[1]).intValue() : -1);
            case "find" -> s.indexOf(str(args, 0));
            case "count" -> PythonText.count(s, str(args, 0));
            case "join" -> join(s, args[0]);
            case "isdigit" -> !s.isEmpty() && s.chars().allMatch(Character::isDigit);
            case "isspace" -> !s.isEmpty() && s.chars().allMatch(c -> PythonText.isSpace((char) c));
            default -> throw new TemplateTypeError("'str' object has no attribute '" + method + "'");
        };
    }

    private static String chars(Object[] args) {
        return args.length == 0 || PythonValues.unwrap(args[0]) == null ? null : str(args, 0);
    }

    private static String str(Object[] args, int i) {
        Object v = PythonValues.unwrap(args[i]);
        if (!(v instanceof String s)) {
            throw new TemplateTypeError("expected a str argument, got " + PythonValues.typeName(v));
        }
        return s;
    }

    /** {@code startswith}/{@code endswith} take one string or a tuple of them. */
    private static boolean anyOf(Object[] args, java.util.function.Predicate<String> test) {
        Object v = PythonValues.unwrap(args[0]);
        if (v instanceof Iterable<?> options) {
            for (Object o : options) {
                if (test.test(PythonValues.str(o))) {
                    return true;
                }
            }
            return false;
        }
        return test.test(str(args, 0));
    }

    private static String join(String separator, Object items) {
        List<String> parts = new ArrayList<>();
        for (Object item : (Iterable<?>) PythonValues.unwrap(items)) {
            Object v = PythonValues.unwrap(item);
            if (!(v instanceof String s)) {
                throw new TemplateTypeError("sequence item " + parts.size() + ": expected str instance, " + PythonValues.typeName(v) + " found");
            }
            parts.add(s);
        }
        return String.join(separator, parts);
    }

    /** {@code loop.previtem} and {@code loop.nextitem}, which Jinjava's loop lacks. */
    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        if (base instanceof ForLoop loop && ("previtem".equals(property) || "nextitem".equals(property))) {
            context.setPropertyResolved(true);
            return PythonForTag.neighbour(loop, "previtem".equals(property) ? -1 : 1);
        }
        return null;
    }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {
    }

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) {
        return true;
    }

    @Override
    public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
        return null;
    }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) {
        return null;
    }
}
