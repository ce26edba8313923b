package dev.jgpt.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jgpt.JgptException;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;

/**
 * A conversation held against a server as a chat client holds it: each turn sends the whole
 * conversation so far and one new user message to {@code /v1/chat/completions} (streamed, at
 * temperature 0) and keeps the answer for the next turn. Reports each turn's time to the first
 * token and how many of its prompt tokens a slot's cache held.
 */
public final class ChatRun {
    /** The subjects of the user's messages, one per turn, round and round. */
    private static final String[] SUBJECTS = {"the sea", "a lighthouse keeper", "the storm that night", "an old map",
        "the island's birds", "a locked door", "the ship's cook", "a letter from home", "the long winter", "the last day"};

    /**
     * One turn as the client saw it.
     *
     * @param promptTokens the prompt's tokens, the conversation so far through the chat template
     * @param cachedTokens of those, the ones the server's cache held
     * @param firstToken   seconds from sending the turn to its first token
     * @param seconds      seconds from sending the turn to its end
     */
    public record Turn(int promptTokens, int cachedTokens, int completionTokens, double firstToken, double seconds) {
    }

    private ChatRun() {
    }

    /**
     * Holds a conversation of {@code turns} turns, each answer up to {@code maxTokens} tokens; a
     * different {@code opening} gives a conversation that shares no message with another's.
     */
    public static List<Turn> run(URI base, String apiKey, String opening, int turns, int maxTokens) {
        if (turns < 1 || maxTokens < 1) {
            throw new JgptException("a chat run needs at least one turn and one token; got " + turns + ", " + maxTokens);
        }
        ObjectNode body = LoadRun.JSON.createObjectNode();
        body.put("logprobs", true); // every token streams a chunk, also one whose text waits for the next one's bytes
        ArrayNode messages = body.putArray("messages");
        messages.addObject().put("role", "system").put("content", opening);
        List<Turn> done = new ArrayList<>();
        try (HttpClient http = HttpClient.newHttpClient()) {
            for (int t = 0; t < turns; t++) {
                messages.addObject().put("role", "user").put("content", "Tell me a short story about "
                        + SUBJECTS[t % SUBJECTS.length] + ", and go on from what you said before.");
                LoadRun.Outcome answer = LoadRun.send(http, LoadRun.streamed(base, apiKey, "/v1/chat/completions", body.deepCopy(),
                        maxTokens));
                if (!answer.completed()) {
                    throw new JgptException("turn " + (t + 1) + " of the chat run failed");
                }
                messages.addObject().put("role", "assistant").put("content", answer.text());
                done.add(new Turn(answer.promptTokens(), answer.cachedTokens(), answer.tokens(), answer.firstToken(),
                        answer.latency()));
            }
        }
        return done;
    }
}
