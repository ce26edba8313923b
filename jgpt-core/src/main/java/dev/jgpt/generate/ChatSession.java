package dev.jgpt.generate;

import dev.jgpt.jinja.PythonText;
import dev.jgpt.JgptException;
import dev.jgpt.model.Transformer;
import dev.jgpt.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A conversation with a model: keeps the messages, writes them through a {@link ChatTemplate}
 * into each turn's prompt, and keeps that prompt within the context window.
 *
 * <p>Each prompt leaves room for the answer: the answer's token limit, but at most half the
 * window. When the prompt and that room do not fit, the oldest exchanges (a user message and
 * the answer to it) are dropped, never the system prompt, and {@link Reply#dropped()} says which.
 * A turn's prompt starts with the previous one, so the KV cache is kept for the part they
 * share ({@link Generator#generateReusingCache}) and only the new messages are run.
 *
 * <p>Answers are kept stripped of surrounding whitespace, as the templates write them back.
 * Not thread-safe.
 */
public final class ChatSession {
    /**
     * One answer.
     *
     * @param text         the answer as kept in the conversation (stripped)
     * @param generation   the generation behind it; {@code finishReason} {@code CANCELLED} when the
     *                     listener stopped it, its text kept all the same
     * @param dropped      the old messages dropped to make room, oldest first
     * @param reusedTokens how many prompt tokens came from the previous turn's KV cache
     */
    public record Reply(String text, Generation generation, List<ChatMessage> dropped, int reusedTokens) {
        /** Keeps a copy of {@code dropped}. */
        public Reply {
            dropped = List.copyOf(dropped);
        }
    }

    private final Generator generator;
    private final Tokenizer tokenizer;
    private final ChatTemplate template;
    private final int context;
    private ChatMessage system;
    /** User and assistant messages in turn, oldest first. */
    private final List<ChatMessage> turns = new ArrayList<>();

    /** A conversation in the model's whole context window; {@link LanguageModel#newChat} makes them for applications. */
    ChatSession(Transformer model, Tokenizer tokenizer, ChatTemplate template) {
        this(new Generator(model, tokenizer), tokenizer, template);
    }

    /** A conversation whose prompt and answer share {@code window} positions of the KV cache. */
    ChatSession(Transformer model, Tokenizer tokenizer, ChatTemplate template, int window) {
        this(new Generator(model, tokenizer, window), tokenizer, template);
    }

    private ChatSession(Generator generator, Tokenizer tokenizer, ChatTemplate template) {
        this.generator = generator;
        this.tokenizer = tokenizer;
        this.template = template;
        this.context = generator.window();
    }

    /** {@return the positions the conversation's prompt and answer share (the generator's KV cache)} */
    public int contextWindow() {
        return context;
    }

    /** {@return how the conversation is written into each prompt} */
    public ChatTemplate template() {
        return template;
    }

    /**
     * Sets the system prompt for the next turns; {@code null} or blank removes it.
     *
     * @param text the instructions
     */
    public void setSystem(String text) {
        system = text == null || text.isBlank() ? null : ChatMessage.system(text);
    }

    /** {@return the system prompt, if one is set} */
    public Optional<String> system() {
        return Optional.ofNullable(system).map(ChatMessage::content);
    }

    /** Forgets the conversation, keeping the system prompt. */
    public void reset() {
        turns.clear();
    }

    /** {@return the conversation as the next prompt will hold it: the system prompt, then the messages kept} */
    public List<ChatMessage> messages() {
        List<ChatMessage> all = new ArrayList<>(turns.size() + 1);
        if (system != null) {
            all.add(system);
        }
        all.addAll(turns);
        return List.copyOf(all);
    }

    /**
     * Adds a user message and generates the answer, streaming it to {@code listener}; the stop
     * strings of the template are added to those of {@code settings}, and a full context window
     * stops the answer ({@link ContextOverflow#STOP}).
     *
     * @param userText the message
     * @param settings how long the answer may be and how its tokens are chosen
     * @param listener hears the answer's tokens, and may cancel it (the text so far is kept as the answer)
     * @return the answer
     *
     * @throws JgptException when the message with the system prompt and the answer's room does not
     *     fit in the context window; the conversation is then left as it was
     */
    public Reply send(String userText, GenerationSettings settings, TokenListener listener) {
        int room = Math.min(settings.maxTokens(), context / 2);
        checkFitsAlone(ChatMessage.user(userText), room);
        turns.add(ChatMessage.user(userText));
        try {
            List<ChatMessage> dropped = new ArrayList<>();
            int[] prompt = template.encode(messages(), tokenizer);
            while (prompt.length + room > context) {
                dropped.add(turns.removeFirst()); // a user message ...
                if (turns.getFirst().role() == ChatMessage.Role.ASSISTANT) {
                    dropped.add(turns.removeFirst()); // ... and its answer
                }
                prompt = template.encode(messages(), tokenizer);
            }
            Generation generation = generator.generateReusingCache(prompt, settings.forChat(template.stops()), listener);
            String answer = PythonText.strip(generation.text());
            turns.add(ChatMessage.assistant(answer));
            return new Reply(answer, generation, dropped, prompt.length - generation.timings().promptTokens());
        } catch (RuntimeException e) {
            turns.removeLast(); // the user message, so that the conversation stays in turns
            throw e;
        }
    }

    private void checkFitsAlone(ChatMessage user, int room) {
        List<ChatMessage> alone = system == null ? List.of(user) : List.of(system, user);
        int tokens = template.encode(alone, tokenizer).length;
        if (tokens + room > context) {
            throw new JgptException("the message is too long: " + (system == null ? "it makes a prompt of " + tokens
                    : "with the system prompt it makes a prompt of " + tokens) + " tokens, which with room for an answer of "
                    + room + " tokens exceeds the context window of " + context + " tokens");
        }
    }
}
