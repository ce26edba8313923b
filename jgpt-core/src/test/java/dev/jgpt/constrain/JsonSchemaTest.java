package dev.jgpt.constrain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jgpt.JgptException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The automaton of a schema takes exactly the documents the schema allows, and refuses by name what it cannot enforce. */
class JsonSchemaTest {
    private static final String PERSON = "{'type': 'object', 'properties': {'name': {'type': 'string'}, 'age': {'type': 'integer'}},"
            + " 'required': ['name'], 'additionalProperties': false}";

    /** Whether {@code text} is a whole document of {@code grammar}. */
    static boolean accepts(Grammar grammar, String text) {
        TextState s = grammar.start();
        for (int i = 0; i < text.length() && s != null; ) {
            int cp = text.codePointAt(i);
            s = s.next(cp);
            i += Character.charCount(cp);
        }
        return s != null && s.complete();
    }

    static JsonSchema schema(String singleQuoted) {
        return JsonSchema.compile(ConstrainedGenerationTest.json(singleQuoted.replace('\'', '"')));
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
        "true  | {\"name\": \"Ann\", \"age\": 3}",
        "true  | { \"age\" : -0 , \"name\":\"\\u00e9\\n\" }",
        "false | {\"age\": 3}",
        "false | {\"name\": \"a\", \"name\": \"b\"}",
        "false | {\"name\": \"a\", \"other\": 1}",
        "false | {\"name\": \"a\", \"age\": 1.5}",
        "false | '{\"name\": \"a\"} '",
        "false | {\"name\": 01}",
        "false | {\"name\": \"a\nb\"}",
    })
    void anObjectWithRequiredAndNoOtherProperties(boolean valid, String text) {
        assertThat(accepts(schema(PERSON), text)).isEqualTo(valid);
    }

    @org.junit.jupiter.api.Test
    void whitespaceRunsAreAtMostTwenty() {
        for (String gap : new String[] {" ".repeat(20), "\n".repeat(10) + "\t".repeat(10)}) {
            assertThat(accepts(schema(PERSON), gap + "{" + gap + "\"name\"" + gap + ":" + gap + "\"a\"" + gap + "}")).isTrue();
        }
        for (String text : new String[] {" ".repeat(21) + "{\"name\": \"a\"}", "{" + " ".repeat(21) + "\"name\": \"a\"}",
                "{\"name\"" + " ".repeat(21) + ": \"a\"}", "{\"name\":" + " ".repeat(21) + "\"a\"}", "{\"name\": \"a\"" + " ".repeat(21) + "}"}) {
            assertThat(accepts(schema(PERSON), text)).as(text).isFalse();
        }
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
        "true  | [1, \"a\", null]",
        "true  | []",
        "false | [1, \"a\", null, 2]",
        "false | [true]",
        "true  | [1.5e+3]",
        "false | [1.]",
    })
    void arraysOfAnyOfWithBounds(boolean valid, String text) {
        JsonSchema s = schema("{'type': 'array', 'maxItems': 3, 'items': {'anyOf': [{'type': 'number'}, {'type': 'string'}, {'const': null}]}}");
        assertThat(accepts(s, text)).isEqualTo(valid);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "pattern          | {'type': 'string', 'pattern': '^a'}",
        "minimum          | {'type': 'integer', 'minimum': 0}",
        "oneOf            | {'oneOf': [{'type': 'string'}]}",
        "format           | {'type': 'string', 'format': 'date'}",
        "minLength        | {'type': 'string', 'minLength': 2}",
        "uniqueItems      | {'type': 'array', 'uniqueItems': true}",
        "patternProperties| {'type': 'object', 'patternProperties': {}}",
        "$ref             | {'$ref': '#/$defs/missing'}",
        "anyOf            | {'anyOf': [{'type': 'string'}], 'type': 'string'}",
        "required         | {'type': 'object', 'required': ['x']}",
        "enum             | {'enum': [{'a': 1}], 'properties': {'a': {'type': 'string'}}}",
    })
    void keywordsTheAutomatonCannotEnforceAreRefusedByName(String keyword, String schema) {
        assertThatThrownBy(() -> schema(schema)).isInstanceOf(JgptException.class).hasMessageContaining(keyword);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "{'$ref': '#'}",
        "{'type': 'object', 'properties': {'a': {'$ref': '#'}}, 'required': ['a']}",
    })
    void aSchemaWithNoFiniteDocumentIsRefused(String schema) {
        assertThatThrownBy(() -> schema(schema)).isInstanceOf(JgptException.class).hasMessageContaining("no finite document");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "{'type': 'object', 'properties': {'a': {'type': 'integer'}}, 'required': ['a']}                          | 7",
        "{'type': 'array', 'items': {'enum': ['xy', 'z']}, 'minItems': 2}                                          | 9",
        "{'type': 'object', 'properties': {'t': {'anyOf': [{'type': 'null'}, {'type': 'boolean'}]}}, 'required': ['t']} | 10",
    })
    void theDistanceAtTheStartIsTheShortestDocument(String schema, int shortest) {
        assertThat(schema(schema).start().toComplete()).isEqualTo(shortest);
    }
}
