package dev.jgpt.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jgpt.generate.ChatMessage;
import dev.jgpt.generate.ChatTemplate;
import dev.jgpt.generate.ContextOverflow;
import dev.jgpt.generate.Embeddings;
import dev.jgpt.generate.FinishReason;
import dev.jgpt.generate.Generation;
import dev.jgpt.generate.GenerationSettings;
import dev.jgpt.generate.LanguageModel;
import dev.jgpt.generate.TokenListener;
import dev.jgpt.sampling.SamplerSettings;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official OpenAI client for Node ({@code openai} from npm, see {@link NodeScript}) talks to a running server: models,
 * a completion with logprobs, a chat, a streamed chat with usage, a refused request, embeddings (which the client
 * asks for as base64), a chat held to a JSON schema, and tools on a model with Qwen 2.5's template: a named call,
 * streamed and whole, and the call with its result sent back.
 * Skips when node or the package is missing.
 */
class OpenAiClientTest {
    @TempDir
    static Path modelDir;
    @TempDir
    static Path toolModelDir;

    @Test
    void theOfficialClientGetsTheGeneratorsAnswers() throws Exception {
        NodeScript.assumeInstalled("openai");
        try (TestServer server = TestServer.start(modelDir, 2, 4, "test-key");
             TestServer toolServer = TestServer.withChatTemplate(toolModelDir, "Qwen_Qwen2.5-7B-Instruct", "test-key");
             LanguageModel reference = LanguageModel.open(modelDir)) {
            JsonNode got = NodeScript.run("client.mjs", server.uri("/v1").toString(), "test-key", toolServer.uri("/v1").toString());

            assertThat(got.get("models").get(0).asText()).isEqualTo("test-model");

            Generation completion = reference.generate("The quick brown", GenerationSettings.of(12, SamplerSettings.greedy()), TokenListener.NONE);
            assertThat(got.at("/completion/text").asText()).isEqualTo(completion.text());
            assertThat(got.at("/completion/finish_reason").asText()).isEqualTo("length");
            assertThat(got.at("/completion/usage/completion_tokens").asInt()).isEqualTo(12);
            assertThat(got.at("/completion/token_logprobs").size()).isEqualTo(12);

            List<ChatMessage> messages = List.of(ChatMessage.user("Who jumps?"));
            Generation chat = reference.generate(ChatTemplate.PLAIN.encode(messages, reference.tokenizer()),
                    new GenerationSettings(10, SamplerSettings.greedy(), ChatTemplate.PLAIN.stops(), ContextOverflow.STOP), TokenListener.NONE);
            assertThat(got.at("/chat/content").asText()).isEqualTo(chat.text());
            assertThat(got.at("/chat/role").asText()).isEqualTo("assistant");
            assertThat(got.at("/stream/content").asText()).isEqualTo(chat.text());
            assertThat(got.at("/stream/finish_reason").asText()).isEqualTo(chat.finishReason() == FinishReason.STOP ? "stop" : "length");
            assertThat(got.at("/stream/usage/total_tokens").asInt()).isEqualTo(got.at("/chat/usage/total_tokens").asInt());

            assertThat(got.at("/error/status").asInt()).isEqualTo(400);
            assertThat(got.at("/error/name").asText()).isEqualTo("BadRequestError");
            assertThat(got.at("/error/param").asText()).isEqualTo("temperature");

            // the client asks for base64 embeddings and decodes them itself
            JsonNode vector = got.at("/embeddings/vectors/1");
            float[] expected = reference.embed("fox", Embeddings.Pooling.MEAN);
            assertThat(vector.size()).isEqualTo(expected.length);
            for (int i = 0; i < expected.length; i++) {
                assertThat(vector.get(i).floatValue()).isEqualTo(expected[i]);
            }
            assertThat(got.at("/embeddings/usage/prompt_tokens").asInt()).isEqualTo(
                    reference.tokenizer().encodeSequence("The quick brown").length + reference.tokenizer().encodeSequence("fox").length);
            JsonNode structured = TestServer.json(got.get("structured").asText());
            assertThat(structured.get("who").isTextual() && structured.get("high").isBoolean() && structured.size() == 2)
                    .as(structured.toString()).isTrue();
            assertThat(got.at("/tools/finish_reason").asText()).isEqualTo("tool_calls");
            JsonNode call = got.at("/tools/message/tool_calls/0");
            assertThat(call.at("/function/name").asText()).isEqualTo("get_weather");
            JsonNode arguments = TestServer.json(call.at("/function/arguments").asText());
            assertThat(arguments.get("city").isTextual() && arguments.get("unit").asText().matches("celsius|fahrenheit") && arguments.size() == 2)
                    .as(arguments.toString()).isTrue();
            assertThat(got.at("/streamedTools/finish_reason").asText()).isEqualTo("tool_calls");
            assertThat(got.at("/streamedTools/calls/0/name").asText()).isEqualTo("get_weather");
            assertThat(got.at("/streamedTools/calls/0/arguments").asText()).isEqualTo(call.at("/function/arguments").asText());
            assertThat(got.at("/afterTool/prompt_tokens").asInt()).isPositive();
        }
    }
}
