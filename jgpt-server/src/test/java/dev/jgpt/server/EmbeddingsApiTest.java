package dev.jgpt.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jgpt.generate.Embeddings;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /v1/embeddings} in OpenAI's shape: the library's vectors (checked against a trace in the core), as floats or base64. */
class EmbeddingsApiTest {
    @TempDir
    static Path modelDir;
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(modelDir, 1, 2, null);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static float[] floats(JsonNode embedding) {
        float[] v = new float[embedding.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = embedding.get(i).floatValue();
        }
        return v;
    }

    @Test
    void aStringIsEmbeddedAsTheLibraryEmbedsItWithUnitNorm() {
        JsonNode answer = TestServer.json(server.post("/v1/embeddings", "{\"input\": \"Hello there\", \"model\": \"x\"}"));
        float[] vector = floats(answer.at("/data/0/embedding"));
        float[] library = server.lm.embed("Hello there", Embeddings.Pooling.MEAN);
        assertThat(vector).containsExactly(library);
        double norm = 0;
        for (float v : vector) {
            norm += v * v;
        }
        assertThat(norm).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
        assertThat(answer.get("object").asText()).isEqualTo("list");
        assertThat(answer.at("/data/0/object").asText()).isEqualTo("embedding");
        assertThat(answer.at("/usage/prompt_tokens").asInt()).isEqualTo(server.lm.tokenizer().encodeSequence("Hello there").length);
        assertThat(answer.at("/usage/total_tokens").asInt()).isEqualTo(answer.at("/usage/prompt_tokens").asInt());
    }

    @Test
    void base64IsTheLittleEndianFloatsOfTheSameVector() {
        JsonNode floats = TestServer.json(server.post("/v1/embeddings", "{\"input\": [\"ab\", \"cd\"], \"pooling\": \"last\"}"));
        JsonNode base64 = TestServer.json(server.post("/v1/embeddings", "{\"input\": [\"ab\", \"cd\"], \"pooling\": \"last\", \"encoding_format\": \"base64\"}"));
        for (int i = 0; i < 2; i++) {
            ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(base64.at("/data/" + i + "/embedding").asText())).order(ByteOrder.LITTLE_ENDIAN);
            float[] decoded = new float[bytes.remaining() / Float.BYTES];
            bytes.asFloatBuffer().get(decoded);
            assertThat(decoded).containsExactly(floats(floats.at("/data/" + i + "/embedding")));
            assertThat(floats.at("/data/" + i + "/index").asInt()).isEqualTo(i);
        }
        assertThat(floats(floats.at("/data/1/embedding"))).containsExactly(server.lm.embed("cd", Embeddings.Pooling.LAST));
        assertThat(floats.at("/usage/prompt_tokens").asInt()).isEqualTo(4);
    }

    @Test
    void tokenIdsAreEmbeddedLikeTheTextTheySpell() {
        int[] ids = server.lm.tokenizer().encodeSequence("Hello");
        String list = java.util.Arrays.toString(ids);
        JsonNode text = TestServer.json(server.post("/v1/embeddings", "{\"input\": \"Hello\"}"));
        JsonNode one = TestServer.json(server.post("/v1/embeddings", "{\"input\": " + list + "}"));
        JsonNode many = TestServer.json(server.post("/v1/embeddings", "{\"input\": [" + list + ", " + list + "]}"));
        assertThat(one.at("/data/0/embedding")).isEqualTo(text.at("/data/0/embedding"));
        assertThat(many.at("/data/1/embedding")).isEqualTo(text.at("/data/0/embedding"));
    }

    @Test
    void inputsLongerThanTheContextOrEmptyOrMalformedAre400() {
        JsonNode tooLong = ApiErrorsTest.error(server.post("/v1/embeddings", "{\"input\": [\"a\", \"" + "b".repeat(1100) + "\"]}"), 400);
        assertThat(tooLong.get("code").asText()).isEqualTo("context_length_exceeded");
        assertThat(tooLong.get("param").asText()).isEqualTo("input[1]");
        assertThat(ApiErrorsTest.error(server.post("/v1/embeddings", "{\"input\": \"\"}"), 400).get("param").asText()).isEqualTo("input");
        assertThat(ApiErrorsTest.error(server.post("/v1/embeddings", "{\"input\": [1, \"a\"]}"), 400).get("param").asText()).isEqualTo("input");
        assertThat(ApiErrorsTest.error(server.post("/v1/embeddings", "{\"input\": \"a\", \"pooling\": \"max\"}"), 400).get("param").asText()).isEqualTo("pooling");
        assertThat(ApiErrorsTest.error(server.post("/v1/embeddings", "{\"input\": \"a\", \"dimensions\": 8}"), 400).get("param").asText()).isEqualTo("dimensions");
    }
}
