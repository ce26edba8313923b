package dev.jgpt.generate;

import java.util.Locale;
import java.util.Objects;

/**
 * One message of a conversation: who says it, and what.
 *
 * @param role    who says it
 * @param content what is said
 */
public record ChatMessage(Role role, String content) {
    /** Who says a message. */
    public enum Role {
        /** Instructions the model sees before the conversation. */
        SYSTEM,
        /** The person. */
        USER,
        /** The model. */
        ASSISTANT,
        /** A tool's result. */
        TOOL;

        /**
         * The name chat templates write.
         *
         * @return "system", "user", "assistant" or "tool"
         */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Checks that both are there. */
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }

    /**
     * A message with the role system.
     *
     * @param content what is said
     * @return the message
     */
    public static ChatMessage system(String content) {
        return new ChatMessage(Role.SYSTEM, content);
    }

    /**
     * A message with the role user.
     *
     * @param content what is said
     * @return the message
     */
    public static ChatMessage user(String content) {
        return new ChatMessage(Role.USER, content);
    }

    /**
     * A message with the role assistant.
     *
     * @param content what is said
     * @return the message
     */
    public static ChatMessage assistant(String content) {
        return new ChatMessage(Role.ASSISTANT, content);
    }
}
