package dev.jgpt.generate;

import dev.jgpt.jinja.PythonText;
import dev.jgpt.JgptException;
import java.util.List;
import java.util.Optional;

/**
 * Llama 2 chat, as Meta's reference code writes it: each exchange is
 * {@code <s>[INST] user [/INST] answer </s>}, contents stripped, the system prompt folded into
 * the first user message between {@code <<SYS>>} markers. The prompt ends with {@code [/INST]}.
 */
final class Llama2Template implements ChatTemplate {
    private static final String BOS = "<s>";
    private static final String EOS = "</s>";

    @Override
    public String name() {
        return "llama2";
    }

    @Override
    public Optional<String> bos() {
        return Optional.of(BOS);
    }

    @Override
    public List<String> stops() {
        return List.of(EOS);
    }

    @Override
    public List<String> markers() {
        return List.of("[INST]", "<<SYS>>");
    }

    /**
     * @throws JgptException unless the messages are an optional system message followed by user and
     *     assistant messages in turn, starting with the user
     */
    @Override
    public String render(List<ChatMessage> messages) {
        boolean hasSystem = !messages.isEmpty() && messages.getFirst().role() == ChatMessage.Role.SYSTEM;
        int first = hasSystem ? 1 : 0;
        StringBuilder prompt = new StringBuilder();
        for (int i = first; i < messages.size(); i++) {
            ChatMessage message = messages.get(i);
            ChatMessage.Role expected = (i - first) % 2 == 0 ? ChatMessage.Role.USER : ChatMessage.Role.ASSISTANT;
            if (message.role() != expected) {
                throw new JgptException("the llama2 chat template needs user and assistant messages in turn after an optional "
                        + "system message, but message " + i + " is from the " + message.role().wireName());
            }
            if (expected == ChatMessage.Role.USER) {
                String text = i == first && hasSystem
                        ? "<<SYS>>\n" + messages.getFirst().content() + "\n<</SYS>>\n\n" + message.content()
                        : message.content();
                // the first begin-of-text token is the caller's (see ChatTemplate#bos)
                prompt.append(i == first ? "" : BOS).append("[INST] ").append(PythonText.strip(text)).append(" [/INST]");
            } else {
                prompt.append(' ').append(PythonText.strip(message.content())).append(' ').append(EOS);
            }
        }
        return prompt.toString();
    }

    @Override
    public String toString() {
        return name();
    }
}
