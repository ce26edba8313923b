package dev.jgpt.constrain;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jgpt.generate.FinishReason;
import dev.jgpt.generate.Generation;
import dev.jgpt.generate.GenerationSettings;
import dev.jgpt.generate.LanguageModel;
import dev.jgpt.generate.TokenListener;
import dev.jgpt.model.ModelConfig;
import dev.jgpt.convert.RandomModel;
import dev.jgpt.sampling.SamplerSettings;
import dev.jgpt.tensor.DType;
import dev.jgpt.tokenizer.BpeTrainer;
import dev.jgpt.tokenizer.ByteLevelBpe;
import dev.jgpt.tokenizer.TokenizerJson;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model of random weights, sampled at temperature 1, writes only documents that parse and
 * satisfy the schema when its logits are masked: the strongest test of the mask, since nothing
 * in the weights leans towards JSON.
 */
class ConstrainedGenerationTest {
    static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final int SEEDS = 12;

    @TempDir
    static Path dir;
    static LanguageModel lm;

    @BeforeAll
    static void makeModel() {
        ByteLevelBpe tokenizer = BpeTrainer.train("{\"name\": \"cat\", \"age\": 3, \"tags\": [\"a\", \"b\"], \"ok\": true, \"x\": null}\n".repeat(20), 320);
        RandomModel.write(ModelConfig.gpt2(2, 2, 32, 512, tokenizer.vocabSize()), DType.F32, 5, dir);
        TokenizerJson.write(tokenizer, dir.resolve("tokenizer.json"));
        lm = LanguageModel.open(dir);
    }

    @AfterAll
    static void close() {
        lm.close();
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"type\": \"object\", \"properties\": {\"name\": {\"type\": \"string\"}, \"age\": {\"type\": \"integer\"},"
                + " \"tags\": {\"type\": \"array\", \"items\": {\"enum\": [\"a\", \"b\", \"ab\"]}, \"minItems\": 1, \"maxItems\": 3}},"
                + " \"required\": [\"name\", \"age\", \"tags\"], \"additionalProperties\": false}",
        "{\"$defs\": {\"node\": {\"type\": \"object\", \"properties\": {\"value\": {\"type\": \"number\"},"
                + " \"children\": {\"type\": \"array\", \"items\": {\"$ref\": \"#/$defs/node\"}, \"maxItems\": 2}},"
                + " \"required\": [\"value\"], \"additionalProperties\": false}}, \"$ref\": \"#/$defs/node\"}",
        "{\"type\": \"object\", \"properties\": {\"kind\": {\"const\": \"point\"}, \"at\": {\"anyOf\": [{\"type\": \"null\"},"
                + " {\"type\": \"array\", \"items\": {\"type\": [\"number\", \"boolean\"]}, \"minItems\": 2, \"maxItems\": 2}]},"
                + " \"note\": {\"type\": [\"string\", \"null\"]}}, \"required\": [\"kind\", \"at\"]}",
        "{\"type\": \"array\", \"items\": {\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"boolean\"}, \"ab\": {\"type\": \"integer\"}},"
                + " \"additionalProperties\": false}}",
    })
    void everyAnswerOfARandomModelSatisfiesTheSchema(String schemaText) {
        JsonNode schema = json(schemaText);
        JsonSchema grammar = JsonSchema.compile(schema);
        SchemaCheck check = new SchemaCheck(schema);
        for (long seed = 0; seed < SEEDS; seed++) {
            Generation g = generate(grammar, seed, 160);
            JsonNode doc = json(g.text());
            assertThat(check.problem(doc, schema)).as("seed %d wrote %s", seed, g.text()).isNull();
            assertThat(g.finishReason()).as(g.text()).isIn(FinishReason.STOP, FinishReason.LENGTH);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {12, 40, 200})
    void anyJsonObjectEvenWithFewTokens(int maxTokens) {
        JsonSchema grammar = JsonSchema.anyObject();
        for (long seed = 0; seed < SEEDS; seed++) {
            Generation g = generate(grammar, seed, maxTokens);
            assertThat(json(g.text()).isObject()).as(g.text()).isTrue();
            assertThat(g.tokens().length).isLessThanOrEqualTo(maxTokens);
        }
    }

    private static Generation generate(Grammar grammar, long seed, int maxTokens) {
        SamplerSettings sampler = new SamplerSettings(1f, 0, 1f, 0f, 1f, seed);
        return lm.generate("Answer:", GenerationSettings.of(maxTokens, sampler).constrainedTo(grammar), TokenListener.NONE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{", "{\"name\": \"ca", "{\"name\": \"x\", \"age\": 1", "{\"name\": \"x\", \"age\": 12, \"tags\": [\"a\"]"})
    void theMaskAllowsExactlyTheTokensWhoseTextContinuesTheDocument(String prefix) {
        JsonSchema grammar = JsonSchema.compile(json("{\"type\": \"object\", \"properties\": {\"name\": {\"type\": \"string\"},"
                + " \"age\": {\"type\": \"integer\"}, \"tags\": {\"type\": \"array\", \"items\": {\"enum\": [\"a\", \"b\"]}}},"
                + " \"required\": [\"name\", \"age\", \"tags\"], \"additionalProperties\": false}"));
        Grammar spacedJson = Gbnf.parse(Gbnf.JSON_OBJECT.replace("\":\" value", "\":\" \" \"? value").replace("\",\" string", "\",\" \" \"? string"));
        for (Grammar g : new Grammar[] {grammar, JsonSchema.anyObject(), spacedJson}) {
            var tokenizer = lm.tokenizer();
            TokenMask mask = new TokenMask(g, tokenizer, new int[0], tokenizer.vocabSize());
            TextState state = g.start();
            for (int cp : prefix.codePoints().toArray()) {
                state = state.next(cp);
            }
            assertThat(state).as("%s reads %s", g, prefix).isNotNull();
            for (int id : tokenizer.encode(prefix)) {
                mask.accept(id);
            }
            for (int budget : new int[] {1000, 12, 4}) {
                float[] logits = new float[tokenizer.vocabSize()];
                boolean[] expected = new boolean[logits.length];
                boolean anyExpected = false;
                for (int id = 0; id < logits.length; id++) {
                    TextState s = state;
                    String text = new String(tokenizer.tokenBytes(id), java.nio.charset.StandardCharsets.UTF_8);
                    boolean whole = java.util.Arrays.equals(text.getBytes(java.nio.charset.StandardCharsets.UTF_8), tokenizer.tokenBytes(id));
                    for (int i = 0; i < text.length() && s != null; i++) {
                        s = s.next(text.charAt(i));
                    }
                    expected[id] = whole && !text.isEmpty() && !tokenizer.isSpecial(id) && s != null && s.toComplete() <= budget - 1;
                    anyExpected |= expected[id];
                }
                try {
                    mask.apply(logits, budget);
                } catch (dev.jgpt.JgptException e) {
                    assertThat(anyExpected).as("no token fits %d tokens after %s", budget, prefix).isFalse();
                    continue;
                }
                for (int id = 0; id < logits.length; id++) {
                    assertThat(logits[id] != Float.NEGATIVE_INFINITY).as("token %d after %s, budget %d", id, prefix, budget)
                            .isEqualTo(expected[id]);
                }
            }
        }
    }
}
