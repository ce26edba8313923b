package dev.jgpt.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jgpt.generate.ChatMessage;
import dev.jgpt.generate.ChatTemplate;
import dev.jgpt.model.Transformer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chats whose turns each send the whole conversation so far: a server with the prompt cache keeps
 * what a slot holds of each prompt and answers with the tokens and log-probabilities of a server
 * without it, turn by turn, when a turn edits an earlier message and when two chats run at once.
 */
class PromptCacheTest {
    private static final int REPLY = 8;

    @TempDir
    static Path modelDir;
    private TestServer cached;
    private TestServer uncached;

    @BeforeEach
    void start() {
        cached = server(true);
        uncached = server(false);
    }

    @AfterEach
    void stop() {
        for (TestServer server : new TestServer[] {cached, uncached}) {
            if (server != null) {
                server.close();
            }
        }
    }

    private static TestServer server(boolean promptCache) {
        return TestServer.start(TestServer.model(modelDir), new ServerSettings("127.0.0.1", 0, null, 2, 4, 64 * 1024, 1024,
                "test-model", promptCache), Scheduler.WORKER_THREADS);
    }

    @Test
    void aChatsNextTurnsKeepTheCachedPromptAndAnswerAsWithoutIt() {
        Chat chat = new Chat("You tell short stories.");
        int[] previous = new int[0];
        long cachedBefore = cachedTotal();
        long cachedSum = 0;
        for (String message : List.of("Tell me about the sea at night.", "And what did the keeper of the light see?",
                "Did the ship reach the harbour in the end?", "Who was waiting for it on the quay?")) {
            chat.user(message);
            int[] prompt = chat.prompt();
            JsonNode answer = chat.send(cached);
            JsonNode reference = chat.send(uncached);
            assertSameAnswer(answer, reference, true);
            // the previous turn's prompt is kept, its answer (decoded a token at a time) runs again with the new message
            assertThat(answer.at("/usage/prompt_tokens_details/cached_tokens").asInt()).isEqualTo(kept(previous, prompt));
            assertThat(reference.at("/usage/prompt_tokens_details/cached_tokens").asInt()).isZero();
            cachedSum += kept(previous, prompt);
            chat.assistant(answer);
            previous = prompt;
        }
        assertThat(cachedSum).isGreaterThan(previous.length / 2);

        // an edit of the second message keeps the conversation before it, and the chat goes on from the edit
        while (chat.messages.size() > 4) { // [system, user, assistant, user]
            chat.messages.remove(chat.messages.size() - 1);
        }
        ((ObjectNode) chat.messages.get(3)).put("content", "And what did the keeper of the lighthouse hear?");
        for (int turn = 0; turn < 2; turn++) {
            int[] prompt = chat.prompt();
            JsonNode answer = chat.send(cached);
            assertSameAnswer(answer, chat.send(uncached), true);
            int kept = kept(previous, prompt);
            assertThat(answer.at("/usage/prompt_tokens_details/cached_tokens").asInt()).isEqualTo(kept);
            if (turn == 0) { // the edit, not the end of the cached prompt, decided what was kept
                assertThat(kept).isPositive().isEqualTo(shared(previous, prompt)).isLessThan(previous.length - REPLY);
            }
            cachedSum += kept;
            chat.assistant(answer);
            chat.user("Then what happened to the keeper?");
            previous = prompt;
        }
        long counted = cachedSum;
        TestServer.await("the cached tokens are counted", () -> cachedTotal() - cachedBefore == counted);
    }

    @Test
    void twoChatsAtOnceEachKeepTheirOwnSlotsPrompt() throws Exception {
        Chat[] chats = {new Chat("You answer about ships."), new Chat("You answer about birds.")};
        int[][] previous = {new int[0], new int[0]};
        for (int turn = 0; turn < 3; turn++) {
            List<CompletableFuture<JsonNode>> answers = new ArrayList<>();
            for (Chat chat : chats) {
                chat.user("Question " + (turn + 1) + ": what comes next, and why does it matter?");
                answers.add(CompletableFuture.supplyAsync(() -> chat.send(cached)));
            }
            for (int c = 0; c < chats.length; c++) {
                JsonNode answer = answers.get(c).get();
                // decoded side by side, the answers' later tokens may round otherwise than alone: their first token's may not
                assertSameAnswer(answer, chats[c].send(uncached), false);
                int[] prompt = chats[c].prompt();
                if (turn > 0) {
                    assertThat(answer.at("/usage/prompt_tokens_details/cached_tokens").asInt()).as("chat %d, turn %d", c, turn)
                            .isEqualTo(kept(previous[c], prompt)).isPositive();
                }
                chats[c].assistant(answer);
                previous[c] = prompt;
            }
        }
    }

    /** What a slot holding {@code held} keeps of {@code prompt}: the shared start, short of a pass long enough to round alike. */
    private static int kept(int[] held, int[] prompt) {
        return Math.max(0, Math.min(shared(held, prompt), prompt.length - Transformer.ROW_INVARIANT_PASS));
    }

    private static int shared(int[] a, int[] b) {
        int n = 0;
        while (n < Math.min(a.length, b.length) && a[n] == b[n]) {
            n++;
        }
        return n;
    }

    /** The same text, and the same log-probabilities: of every token, or of the first one only. */
    private static void assertSameAnswer(JsonNode answer, JsonNode reference, boolean everyToken) {
        assertThat(answer.at("/choices/0/message/content").asText()).isEqualTo(reference.at("/choices/0/message/content").asText());
        assertThat(answer.at("/usage/prompt_tokens").asInt()).isEqualTo(reference.at("/usage/prompt_tokens").asInt());
        JsonNode logprobs = answer.at("/choices/0/logprobs/content");
        JsonNode expected = reference.at("/choices/0/logprobs/content");
        assertThat(logprobs.size()).isEqualTo(expected.size()).isPositive();
        assertThat(everyToken ? logprobs : logprobs.get(0)).isEqualTo(everyToken ? expected : expected.get(0));
    }

    private long cachedTotal() {
        return PrometheusText.parse(cached.get("/metrics").body()).get("jgpt_prompt_tokens_cached_total").longValue();
    }

    /** A conversation as a client holds it. */
    private final class Chat {
        final ArrayNode messages = TestServer.JSON.createArrayNode();

        Chat(String system) {
            messages.addObject().put("role", "system").put("content", system);
        }

        void user(String content) {
            messages.addObject().put("role", "user").put("content", content);
        }

        void assistant(JsonNode answer) {
            messages.addObject().put("role", "assistant").put("content", answer.at("/choices/0/message/content").asText());
        }

        /** The prompt's tokens as the server writes them (the model has no template of its own). */
        int[] prompt() {
            List<ChatMessage> list = new ArrayList<>();
            for (JsonNode m : messages) {
                String content = m.get("content").asText();
                list.add(switch (m.get("role").asText()) {
                    case "system" -> ChatMessage.system(content);
                    case "user" -> ChatMessage.user(content);
                    default -> ChatMessage.assistant(content);
                });
            }
            return ChatTemplate.PLAIN.encode(list, cached.lm.tokenizer());
        }

        JsonNode send(TestServer server) {
            ObjectNode body = TestServer.JSON.createObjectNode();
            body.set("messages", messages.deepCopy());
            body.put("max_tokens", REPLY).put("temperature", 0).put("logprobs", true).put("top_logprobs", 3);
            var response = server.post("/v1/chat/completions", body.toString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            return TestServer.json(response);
        }
    }
}
