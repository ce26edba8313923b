package dev.jgpt.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jgpt.generate.ChatMessage;
import dev.jgpt.generate.ChatTemplate;
import dev.jgpt.generate.ContextOverflow;
import dev.jgpt.generate.Generation;
import dev.jgpt.generate.GenerationSettings;
import dev.jgpt.generate.LanguageModel;
import dev.jgpt.generate.TokenListener;
import dev.jgpt.sampling.SamplerSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official OpenAI client for Node ({@code openai} from npm, installed into src/test/node by
 * {@code npm install --prefix jgpt-server/src/test/node}) talks to a running server: models,
 * a completion with logprobs, a chat, a streamed chat with usage, and a refused request.
 * Skips when node or the package is missing.
 */
class OpenAiClientTest {
    private static final Path CLIENT_DIR = Path.of("src/test/node");

    @TempDir
    static Path modelDir;

    @Test
    void theOfficialClientGetsTheGeneratorsAnswers() throws Exception {
        assumeTrue(Files.isDirectory(CLIENT_DIR.resolve("node_modules/openai")),
                "the openai npm package is not installed: run npm install --prefix jgpt-server/src/test/node");
        assumeTrue(nodeWorks(), "node is not installed");
        try (TestServer server = TestServer.start(modelDir, 2, 4, "test-key");
             LanguageModel reference = LanguageModel.open(modelDir)) {
            Process node = new ProcessBuilder("node", "client.mjs", server.uri("/v1").toString(), "test-key")
                    .directory(CLIENT_DIR.toFile()).redirectErrorStream(false).start();
            node.getOutputStream().close();
            String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(node.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(node.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(node.exitValue()).as(err).isZero();
            JsonNode got = TestServer.json(out);

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
            assertThat(got.at("/stream/finish_reason").asText()).isEqualTo(chat.finishReason() == dev.jgpt.generate.FinishReason.STOP ? "stop" : "length");
            assertThat(got.at("/stream/usage/total_tokens").asInt()).isEqualTo(got.at("/chat/usage/total_tokens").asInt());

            assertThat(got.at("/error/status").asInt()).isEqualTo(400);
            assertThat(got.at("/error/name").asText()).isEqualTo("BadRequestError");
            assertThat(got.at("/error/param").asText()).isEqualTo("temperature");
        }
    }

    private static boolean nodeWorks() {
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
