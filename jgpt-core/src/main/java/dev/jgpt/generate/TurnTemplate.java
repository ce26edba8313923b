package dev.jgpt.generate;

import dev.jgpt.jinja.PythonText;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * A family that writes every message the same way, {@code header(role) + content + footer},
 * and ends the prompt with the generation prompt.
 *
 * @param trim whether contents are trimmed of surrounding whitespace (as Jinja's {@code trim} does)
 */
record TurnTemplate(String name, Optional<String> bos, Function<ChatMessage.Role, String> header, String footer, boolean trim,
                    String generationPrompt, List<String> stops, List<String> markers) implements ChatTemplate {

    /** A family whose generation prompt is the assistant's header. */
    TurnTemplate(String name, Optional<String> bos, Function<ChatMessage.Role, String> header, String footer, boolean trim,
                 List<String> stops, List<String> markers) {
        this(name, bos, header, footer, trim, header.apply(ChatMessage.Role.ASSISTANT), stops, markers);
    }

    TurnTemplate {
        stops = List.copyOf(stops);
        markers = List.copyOf(markers);
    }

    @Override
    public String render(List<ChatMessage> messages) {
        StringBuilder prompt = new StringBuilder();
        for (ChatMessage message : messages) {
            prompt.append(header.apply(message.role()))
                    .append(trim ? PythonText.strip(message.content()) : message.content())
                    .append(footer);
        }
        return prompt.append(generationPrompt).toString();
    }

    @Override
    public String toString() {
        return name;
    }
}
