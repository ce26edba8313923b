package dev.jgpt.constrain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jgpt.JgptException;
import dev.jgpt.Quoted;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The documents a JSON schema allows, as a {@link Grammar}: {@code type} (string, number,
 * integer, boolean, null, array, object, or a list of them), {@code properties},
 * {@code required}, {@code additionalProperties}, {@code items}, {@code minItems},
 * {@code maxItems}, {@code enum}, {@code const}, {@code anyOf}, and {@code $ref} to {@code $defs}
 * (or {@code definitions}, or {@code #}). Any other keyword that constrains is refused by name,
 * since a keyword the automaton ignored would let through documents that break it; annotations
 * ({@code title}, {@code description}, ...) pass. Texts are compact or spaced JSON, with at most
 * 20 whitespace characters in a row and none after the document.
 */
public final class JsonSchema implements Grammar {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> ANNOTATIONS = Set.of("title", "description", "$schema", "$id", "$comment", "default",
            "examples", "$defs", "definitions");
    private static final Set<String> OBJECT_WORDS = Set.of("properties", "required", "additionalProperties");
    private static final Set<String> ARRAY_WORDS = Set.of("items", "minItems", "maxItems");
    private static final Set<String> ANY_WORDS = Set.of("type", "enum", "const", "anyOf", "$ref");

    private final ValueType root;

    private JsonSchema(ValueType root) {
        this.root = root;
    }

    /** Any JSON object (OpenAI's {@code "json_object"} response format). */
    public static JsonSchema anyObject() {
        Compiler compiler = new Compiler(null);
        ValueType any = compiler.any();
        ValueType.settle(compiler.types);
        return new JsonSchema(((AnyOfValue) any).alternatives().getFirst());
    }

    /**
     * Compiles {@code schema}.
     *
     * @throws JgptException naming the keyword and where it is, for a schema the automaton cannot enforce or that no document satisfies
     */
    public static JsonSchema compile(JsonNode schema) {
        Compiler compiler = new Compiler(schema);
        ValueType root = compiler.compile(schema, "#");
        compiler.resolve();
        ValueType.settle(compiler.types);
        if (root.minLength >= TextState.NEVER) {
            throw new JgptException("the JSON schema allows no finite document (every branch recurses without end)");
        }
        return new JsonSchema(root);
    }

    @Override
    public TextState start() {
        return new State.Spaces(root.start(State.Exit.INSTANCE), 0);
    }

    /** One compilation: every type made, for the fixed point of the lengths, and the references to resolve. */
    private static final class Compiler {
        private final JsonNode document;
        final List<ValueType> types = new ArrayList<>();
        private final List<RefValue> refs = new ArrayList<>();
        private final Map<String, ValueType> definitions = new HashMap<>();
        private ValueType any;

        Compiler(JsonNode document) {
            this.document = document;
        }

        private <T extends ValueType> T made(T type) {
            types.add(type);
            return type;
        }

        ValueType compile(JsonNode schema, String path) {
            if (schema.isBoolean()) {
                if (!schema.booleanValue()) {
                    throw refuse(path, "the schema false allows nothing");
                }
                return any();
            }
            if (!schema.isObject()) {
                throw refuse(path, "a schema must be an object or a boolean");
            }
            for (Iterator<String> it = schema.fieldNames(); it.hasNext(); ) {
                String word = it.next();
                if (!ANNOTATIONS.contains(word) && !OBJECT_WORDS.contains(word) && !ARRAY_WORDS.contains(word)
                        && !ANY_WORDS.contains(word)) {
                    throw refuse(path, "the keyword " + Quoted.of(word) + " cannot be enforced while generating");
                }
            }
            if (schema.has("$ref")) {
                alone(schema, path, "$ref");
                return ref(schema.get("$ref"), path);
            }
            if (schema.has("anyOf")) {
                alone(schema, path, "anyOf");
                JsonNode alternatives = schema.get("anyOf");
                if (!alternatives.isArray() || alternatives.isEmpty()) {
                    throw refuse(path, "'anyOf' must be a non-empty array of schemas");
                }
                List<ValueType> compiled = new ArrayList<>();
                for (int i = 0; i < alternatives.size(); i++) {
                    compiled.add(compile(alternatives.get(i), path + "/anyOf/" + i));
                }
                return made(new AnyOfValue(compiled));
            }
            List<String> typeNames = types(schema, path);
            if (schema.has("const") || schema.has("enum")) {
                if (hasAny(schema, OBJECT_WORDS) || hasAny(schema, ARRAY_WORDS)) {
                    throw refuse(path, "'enum' or 'const' beside object or array keywords cannot be enforced: list the values alone");
                }
                return literals(schema, typeNames, path);
            }
            if (typeNames.isEmpty()) {
                // no type: the keywords present say which (a narrower language than the schema's, and so still valid)
                typeNames = hasAny(schema, OBJECT_WORDS) ? List.of("object") : hasAny(schema, ARRAY_WORDS) ? List.of("array") : List.of();
            }
            if (typeNames.isEmpty()) {
                return any();
            }
            if (hasAny(schema, OBJECT_WORDS) && !typeNames.contains("object")) {
                throw refuse(path, "object keywords (properties, required, additionalProperties) need the type object");
            }
            if (hasAny(schema, ARRAY_WORDS) && !typeNames.contains("array")) {
                throw refuse(path, "array keywords (items, minItems, maxItems) need the type array");
            }
            List<ValueType> alternatives = new ArrayList<>();
            for (String type : typeNames) {
                alternatives.add(switch (type) {
                    case "string" -> made(new StringValue());
                    case "number" -> made(new NumberValue(false));
                    case "integer" -> made(new NumberValue(true));
                    case "boolean" -> made(new LiteralValue(List.of("true", "false")));
                    case "null" -> made(new LiteralValue(List.of("null")));
                    case "array" -> array(schema, path);
                    case "object" -> object(schema, path);
                    default -> throw refuse(path, "unknown type " + Quoted.of(type));
                });
            }
            return alternatives.size() == 1 ? alternatives.getFirst() : made(new AnyOfValue(alternatives));
        }

        /** Any JSON value, made once per schema (it holds itself: arrays of anything, objects of anything). */
        ValueType any() {
            if (any == null) {
                List<ValueType> alternatives = new ArrayList<>();
                any = made(new AnyOfValue(alternatives));
                alternatives.addAll(List.of(made(new ObjectValue(List.of(), List.of(), 0, any)), made(new ArrayValue(any, 0, Integer.MAX_VALUE)),
                        made(new StringValue()), made(new NumberValue(false)), made(new LiteralValue(List.of("true", "false", "null")))));
            }
            return any;
        }

        private static List<String> types(JsonNode schema, String path) {
            JsonNode type = schema.get("type");
            if (type == null) {
                return List.of();
            }
            if (type.isTextual()) {
                return List.of(type.textValue());
            }
            if (type.isArray() && !type.isEmpty()) {
                List<String> names = new ArrayList<>();
                for (JsonNode t : type) {
                    if (!t.isTextual()) {
                        throw refuse(path, "'type' must be a string or an array of strings");
                    }
                    names.add(t.textValue());
                }
                return names;
            }
            throw refuse(path, "'type' must be a string or an array of strings");
        }

        private ValueType literals(JsonNode schema, List<String> typeNames, String path) {
            List<JsonNode> values = new ArrayList<>();
            if (schema.has("const")) {
                values.add(schema.get("const"));
            }
            if (schema.has("enum")) {
                JsonNode e = schema.get("enum");
                if (!e.isArray() || e.isEmpty()) {
                    throw refuse(path, "'enum' must be a non-empty array");
                }
                e.forEach(v -> {
                    if (!schema.has("const") || v.equals(schema.get("const"))) {
                        values.add(v);
                    }
                });
            }
            List<String> texts = values.stream().filter(v -> typeNames.isEmpty() || typeNames.stream().anyMatch(t -> isOfType(v, t)))
                    .map(JsonNode::toString).distinct().toList();
            if (texts.isEmpty()) {
                throw refuse(path, "no value of 'enum'/'const' has the schema's type");
            }
            return made(new LiteralValue(texts));
        }

        private static boolean isOfType(JsonNode v, String type) {
            return switch (type) {
                case "string" -> v.isTextual();
                case "number" -> v.isNumber();
                case "integer" -> v.isIntegralNumber() || (v.isNumber() && v.doubleValue() == Math.rint(v.doubleValue()));
                case "boolean" -> v.isBoolean();
                case "null" -> v.isNull();
                case "array" -> v.isArray();
                case "object" -> v.isObject();
                default -> false;
            };
        }

        private ValueType array(JsonNode schema, String path) {
            ValueType items = schema.has("items") ? compile(schema.get("items"), path + "/items") : any();
            int min = count(schema, "minItems", 0, path);
            int max = count(schema, "maxItems", Integer.MAX_VALUE, path);
            if (min > max) {
                throw refuse(path, "'minItems' " + min + " is more than 'maxItems' " + max);
            }
            return made(new ArrayValue(items, min, max));
        }

        private static int count(JsonNode schema, String word, int absent, String path) {
            JsonNode n = schema.get(word);
            if (n == null) {
                return absent;
            }
            if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < 0) {
                throw refuse(path, Quoted.of(word) + " must be a non-negative integer");
            }
            return n.intValue();
        }

        private ValueType object(JsonNode schema, String path) {
            JsonNode properties = schema.has("properties") ? schema.get("properties") : JSON.createObjectNode();
            if (!properties.isObject()) {
                throw refuse(path, "'properties' must be an object");
            }
            if (properties.size() > ObjectValue.MAX_PROPERTIES) {
                throw refuse(path, "'properties' names " + properties.size() + " properties, more than the "
                        + ObjectValue.MAX_PROPERTIES + " an object may have here");
            }
            List<String> names = new ArrayList<>();
            List<ValueType> values = new ArrayList<>();
            properties.properties().forEach(e -> {
                names.add(e.getKey());
                values.add(compile(e.getValue(), path + "/properties/" + e.getKey()));
            });
            long required = 0;
            JsonNode req = schema.get("required");
            if (req != null) {
                if (!req.isArray()) {
                    throw refuse(path, "'required' must be an array of property names");
                }
                for (JsonNode r : req) {
                    int index = r.isTextual() ? names.indexOf(r.textValue()) : -1;
                    if (index < 0) {
                        throw refuse(path, "'required' names " + (r.isTextual() ? Quoted.of(r.textValue()) : r.toString())
                                + ", which is not in 'properties'");
                    }
                    required |= 1L << index;
                }
            }
            JsonNode extra = schema.get("additionalProperties");
            ValueType additional = extra == null || extra.isBoolean() && extra.booleanValue() ? any()
                    : extra.isBoolean() ? null : compile(extra, path + "/additionalProperties");
            return made(new ObjectValue(names, values, required, additional));
        }

        private ValueType ref(JsonNode target, String path) {
            if (!target.isTextual()) {
                throw refuse(path, "'$ref' must be a string");
            }
            RefValue ref = made(new RefValue(target.textValue()));
            refs.add(ref);
            return ref;
        }

        /** Points every reference at its definition, compiling each definition once. */
        void resolve() {
            for (int i = 0; i < refs.size(); i++) { // resolving may add references
                RefValue r = refs.get(i);
                r.resolved = definition(r.target);
            }
        }

        private ValueType definition(String target) {
            ValueType known = definitions.get(target);
            if (known == null) {
                known = compile(definitionNode(target), target);
                definitions.put(target, known);
            }
            return known;
        }

        private JsonNode definitionNode(String target) {
            if (target.equals("#")) {
                return document;
            }
            for (String folder : List.of("$defs", "definitions")) {
                String prefix = "#/" + folder + "/";
                if (target.startsWith(prefix)) {
                    JsonNode def = document.path(folder).get(target.substring(prefix.length()));
                    if (def == null) {
                        throw refuse("#", "'$ref' " + Quoted.of(target) + " names no definition");
                    }
                    return def;
                }
            }
            throw refuse("#", "'$ref' " + Quoted.of(target) + " is not '#', '#/$defs/NAME' or '#/definitions/NAME'");
        }

        private static void alone(JsonNode schema, String path, String word) {
            for (Iterator<String> it = schema.fieldNames(); it.hasNext(); ) {
                String other = it.next();
                if (!other.equals(word) && !ANNOTATIONS.contains(other)) {
                    throw refuse(path, "'" + word + "' beside " + Quoted.of(other) + " cannot be enforced: put the keyword inside each alternative");
                }
            }
        }

        private static boolean hasAny(JsonNode schema, Set<String> words) {
            return words.stream().anyMatch(schema::has);
        }
    }

    private static JgptException refuse(String path, String problem) {
        return new JgptException("the JSON schema at " + Quoted.of(path) + ": " + problem);
    }
}
