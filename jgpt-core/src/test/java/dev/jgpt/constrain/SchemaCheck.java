package dev.jgpt.constrain;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;

/** An independent validator of the JSON-schema keywords jgpt enforces, written from the specification for the tests. */
final class SchemaCheck {
    private final JsonNode root;

    SchemaCheck(JsonNode root) {
        this.root = root;
    }

    /** Why {@code value} breaks {@code schema}, or null when it satisfies it. */
    String problem(JsonNode value, JsonNode schema) {
        if (schema.isBoolean()) {
            return schema.booleanValue() ? null : "false schema";
        }
        if (schema.has("$ref")) {
            String ref = schema.get("$ref").textValue();
            JsonNode target = ref.equals("#") ? root : root.at(ref.substring(1));
            return problem(value, target);
        }
        if (schema.has("anyOf")) {
            for (JsonNode alternative : schema.get("anyOf")) {
                if (problem(value, alternative) == null) {
                    return null;
                }
            }
            return value + " matches no alternative of anyOf";
        }
        if (schema.has("const") && !schema.get("const").equals(value)) {
            return value + " is not the const " + schema.get("const");
        }
        if (schema.has("enum")) {
            boolean found = false;
            for (JsonNode e : schema.get("enum")) {
                found |= e.equals(value);
            }
            if (!found) {
                return value + " is not in the enum";
            }
        }
        if (schema.has("type")) {
            JsonNode type = schema.get("type");
            boolean ok = false;
            if (type.isTextual()) {
                ok = hasType(value, type.textValue());
            } else {
                for (JsonNode t : type) {
                    ok |= hasType(value, t.textValue());
                }
            }
            if (!ok) {
                return value + " is not of type " + type;
            }
        }
        if (value.isArray()) {
            if (schema.has("minItems") && value.size() < schema.get("minItems").intValue()) {
                return value + " has fewer than minItems";
            }
            if (schema.has("maxItems") && value.size() > schema.get("maxItems").intValue()) {
                return value + " has more than maxItems";
            }
            if (schema.has("items")) {
                for (JsonNode item : value) {
                    String p = problem(item, schema.get("items"));
                    if (p != null) {
                        return p;
                    }
                }
            }
        }
        if (value.isObject()) {
            JsonNode properties = schema.path("properties");
            if (schema.has("required")) {
                for (JsonNode r : schema.get("required")) {
                    if (!value.has(r.textValue())) {
                        return value + " lacks required " + r;
                    }
                }
            }
            Set<String> names = new HashSet<>();
            for (Iterator<String> it = value.fieldNames(); it.hasNext(); ) {
                String name = it.next();
                names.add(name);
                JsonNode sub = properties.has(name) ? properties.get(name)
                        : schema.has("additionalProperties") ? schema.get("additionalProperties") : null;
                String p = sub == null ? null : problem(value.get(name), sub);
                if (p != null) {
                    return name + ": " + p;
                }
            }
        }
        return null;
    }

    private static boolean hasType(JsonNode v, String type) {
        return switch (type) {
            case "string" -> v.isTextual();
            case "number" -> v.isNumber();
            case "integer" -> v.isIntegralNumber();
            case "boolean" -> v.isBoolean();
            case "null" -> v.isNull();
            case "array" -> v.isArray();
            case "object" -> v.isObject();
            default -> throw new AssertionError(type);
        };
    }
}
