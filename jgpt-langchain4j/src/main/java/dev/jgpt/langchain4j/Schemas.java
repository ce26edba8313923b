package dev.jgpt.langchain4j;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.langchain4j.internal.JsonSchemaElementJsonUtils;
import dev.langchain4j.model.chat.request.json.JsonAnyOfSchema;
import dev.langchain4j.model.chat.request.json.JsonArraySchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonSchemaElement;

/**
 * LangChain4j's schemas as the JSON schemas jgpt compiles. A typed object schema that does not say
 * whether other keys may appear is closed ({@code "additionalProperties": false}): it describes a Java
 * type (a record, a tool's parameters), whose parser refuses keys it does not know, as OpenAI's strict
 * mode closes it. A raw schema ({@code JsonRawSchema}) is taken as written.
 */
final class Schemas {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Schemas() {
    }

    static JsonNode of(JsonSchemaElement element) {
        JsonNode schema = JSON.valueToTree(JsonSchemaElementJsonUtils.toMap(element));
        close(element, schema);
        return schema;
    }

    /** Walks {@code element} and its JSON {@code schema} side by side, closing each typed object that is open by default. */
    private static void close(JsonSchemaElement element, JsonNode schema) {
        switch (element) {
            case JsonObjectSchema object -> {
                if (object.additionalProperties() == null) {
                    ((ObjectNode) schema).put("additionalProperties", false);
                }
                object.properties().forEach((name, property) -> close(property, schema.path("properties").path(name)));
                object.definitions().forEach((name, definition) -> close(definition, schema.path("$defs").path(name)));
            }
            case JsonArraySchema array when array.items() != null -> close(array.items(), schema.get("items"));
            case JsonAnyOfSchema anyOf -> {
                for (int i = 0; i < anyOf.anyOf().size(); i++) {
                    close(anyOf.anyOf().get(i), schema.get("anyOf").get(i));
                }
            }
            default -> {
            }
        }
    }
}
