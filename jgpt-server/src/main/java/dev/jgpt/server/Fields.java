package dev.jgpt.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jgpt.Quoted;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Typed access to a request object's fields: a field that is present with the wrong type is a
 * 400 naming it; an absent field, or JSON null, is empty. A field its {@link RequestShape} does
 * not accept is a 400 naming it as soon as the object is read, as OpenAI answers: an option the
 * server ignored would be one the client believes honoured.
 */
final class Fields {
    private final ObjectNode body;
    private final String at;

    /** @param at where the object lies in the body: "" for the body, else a path ending in '.' */
    private Fields(ObjectNode body, String at) {
        this.body = body;
        this.at = at;
    }

    /** The fields of the request body, checked against {@code shape}. */
    static Fields of(ObjectNode body, RequestShape shape) {
        return of(body, shape, "");
    }

    /** The fields of an object at {@code at} inside the body (a path such as "messages[2]"), checked against {@code shape}. */
    static Fields of(JsonNode node, RequestShape shape, String at) {
        if (!node.isObject()) {
            throw wrongType(at, "an object", node);
        }
        String prefix = at.isEmpty() ? "" : at + ".";
        ApiException unknown = shape.check(node::fieldNames, prefix);
        if (unknown != null) {
            throw unknown;
        }
        return new Fields((ObjectNode) node, prefix);
    }

    Optional<JsonNode> node(String name) {
        JsonNode node = body.get(name);
        return node == null || node.isNull() ? Optional.empty() : Optional.of(node);
    }

    Optional<String> string(String name) {
        return node(name).map(n -> {
            if (!n.isTextual()) {
                throw wrongType(at + name, "a string", n);
            }
            return n.textValue();
        });
    }

    Optional<Boolean> bool(String name) {
        return node(name).map(n -> {
            if (!n.isBoolean()) {
                throw wrongType(at + name, "a boolean", n);
            }
            return n.booleanValue();
        });
    }

    Optional<Integer> integer(String name) {
        return node(name).map(n -> {
            if (!n.isIntegralNumber() || !n.canConvertToInt()) {
                throw wrongType(at + name, "an integer", n);
            }
            return n.intValue();
        });
    }

    Optional<Long> longInteger(String name) {
        return node(name).map(n -> {
            if (!n.isIntegralNumber() || !n.canConvertToLong()) {
                throw wrongType(at + name, "an integer", n);
            }
            return n.longValue();
        });
    }

    Optional<Double> number(String name) {
        return node(name).map(n -> {
            if (!n.isNumber()) {
                throw wrongType(at + name, "a number", n);
            }
            return n.doubleValue();
        });
    }

    /** A number that must lie in [min, max]. */
    Optional<Double> number(String name, double min, double max) {
        return number(name).map(v -> {
            if (!(v >= min && v <= max)) {
                throw ApiException.invalid(at + name, "'" + at + name + "' must be between " + min + " and " + max + ", got " + v);
            }
            return v;
        });
    }

    /** An integer in {@code min..Integer.MAX_VALUE}. */
    Optional<Integer> integer(String name, int min) {
        return node(name).map(n -> {
            if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < min) {
                throw wrongType(at + name, "an integer in " + min + ".." + Integer.MAX_VALUE, n);
            }
            return n.intValue();
        });
    }

    /** A string or an array of strings (OpenAI's {@code stop}). */
    List<String> strings(String name) {
        Optional<JsonNode> node = node(name);
        if (node.isEmpty()) {
            return List.of();
        }
        JsonNode n = node.get();
        if (n.isTextual()) {
            return List.of(n.textValue());
        }
        if (!n.isArray()) {
            throw wrongType(at + name, "a string or an array of strings", n);
        }
        List<String> out = new ArrayList<>();
        for (JsonNode item : n) {
            if (!item.isTextual()) {
                throw wrongType(at + name, "a string or an array of strings", n);
            }
            out.add(item.textValue());
        }
        return out;
    }

    Optional<ObjectNode> object(String name) {
        return node(name).map(n -> {
            if (!n.isObject()) {
                throw wrongType(at + name, "an object", n);
            }
            return (ObjectNode) n;
        });
    }

    static ApiException wrongType(String name, String expected, JsonNode got) {
        return ApiException.invalid(name, "'" + name + "' must be " + expected + ", got " + describe(got));
    }

    /** What was sent: a string or a number as written (escaped and capped), else its kind. */
    private static String describe(JsonNode n) {
        return switch (n.getNodeType()) {
            case STRING -> "the string " + Quoted.of(n.textValue());
            case NUMBER, BOOLEAN -> Quoted.escape(n.asText(), Quoted.MAX_CHARS);
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            default -> n.getNodeType().name().toLowerCase(Locale.ROOT);
        };
    }
}
