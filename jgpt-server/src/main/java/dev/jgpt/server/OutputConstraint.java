package dev.jgpt.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jgpt.JgptException;
import dev.jgpt.Quoted;
import dev.jgpt.constrain.Gbnf;
import dev.jgpt.constrain.Grammar;
import dev.jgpt.constrain.JsonSchema;

/**
 * The language a request's answer must belong to: {@code response_format} as OpenAI defines it
 * ({@code text}, {@code json_object}, {@code json_schema}), or llama.cpp's {@code grammar} (GBNF
 * text). The answer is held to it by constrained decoding, so a schema keyword the automaton
 * cannot enforce is a 400 naming it, as is a grammar that does not parse.
 */
final class OutputConstraint {
    private OutputConstraint() {
    }

    /** The grammar the request asks for, or null for free text. */
    static Grammar read(Fields request) {
        Grammar format = request.node("response_format").map(OutputConstraint::responseFormat).orElse(null);
        String gbnf = request.string("grammar").orElse(null);
        if (gbnf == null) {
            return format;
        }
        if (format != null) {
            throw ApiException.invalid("grammar", "give either 'grammar' or a JSON 'response_format', not both");
        }
        try {
            return Gbnf.parse(gbnf);
        } catch (JgptException e) {
            throw ApiException.invalid("grammar", e.getMessage());
        }
    }

    private static Grammar responseFormat(JsonNode format) {
        Fields f = Fields.of(format, RequestShape.RESPONSE_FORMAT, "response_format");
        String type = f.string("type").orElseThrow(() -> ApiException.invalid("response_format.type", "'response_format.type' is required"));
        if (!type.equals("json_schema") && f.node("json_schema").isPresent()) {
            throw ApiException.invalid("response_format.json_schema", "'response_format.json_schema' needs the type json_schema");
        }
        return switch (type) {
            case "text" -> null;
            case "json_object" -> JsonSchema.anyObject();
            case "json_schema" -> jsonSchema(f);
            default -> throw ApiException.invalid("response_format.type", "'response_format.type' must be text, json_object or json_schema, got "
                    + Quoted.of(type));
        };
    }

    private static Grammar jsonSchema(Fields format) {
        String at = "response_format.json_schema";
        Fields f = Fields.of(format.node("json_schema").orElseThrow(() -> ApiException.invalid(at, "'" + at + "' is required")),
                RequestShape.JSON_SCHEMA, at);
        f.string("name").orElseThrow(() -> ApiException.invalid(at + ".name", "'" + at + ".name' is required"));
        f.string("description");
        f.bool("strict"); // the answer always keeps to the schema: strict or not
        JsonNode schema = f.node("schema").orElseThrow(() -> ApiException.invalid(at + ".schema", "'" + at + ".schema' is required"));
        try {
            return JsonSchema.compile(schema);
        } catch (JgptException e) {
            throw ApiException.invalid(at + ".schema", e.getMessage());
        }
    }
}
