package dev.jgpt.generate;

import dev.jgpt.jinja.Jinja;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A model's own chat template (its Jinja program), run as Hugging Face's {@code apply_chat_template}
 * runs it: {@code messages}, {@code tools}, {@code add_generation_prompt}, {@code bos_token} and
 * {@code eos_token}; of several templates, the one transformers picks ({@link ChatTemplateSources#select}).
 * The rendered text holds whatever the template writes, the begin-of-text token included;
 * {@link #encode} does not add it twice.
 *
 * @param sources  the model's templates
 * @param bosToken the text of the model's begin-of-text token ("" when it has none)
 * @param eosToken the text of its end-of-text token, where generation stops
 */
public record JinjaTemplate(ChatTemplateSources sources, String bosToken, String eosToken) implements ChatTemplate {
    /**
     * A model's one template.
     *
     * @param source   the template's Jinja source
     * @param bosToken the text of the model's begin-of-text token ("" when it has none)
     * @param eosToken the text of its end-of-text token, where generation stops ("" when it has none)
     */
    public JinjaTemplate(String source, String bosToken, String eosToken) {
        this(ChatTemplateSources.of(source), bosToken, eosToken);
    }

    @Override
    public String name() {
        return "model";
    }

    @Override
    public Optional<String> bos() {
        return Optional.empty();
    }

    @Override
    public String render(List<ChatMessage> messages) {
        List<Map<String, Object>> plain = new ArrayList<>();
        for (ChatMessage m : messages) {
            Map<String, Object> message = new LinkedHashMap<>();
            message.put("role", m.role().wireName());
            message.put("content", m.content());
            plain.add(message);
        }
        return render(plain, null, true);
    }

    /**
     * Messages and tools as JSON values (maps, lists, strings, numbers, booleans, null), as an
     * OpenAI request carries them: {@code tool_calls}, {@code tool} messages and all.
     *
     * @param messages            the conversation, each message a map with at least {@code role}
     * @param toolsOrNull         the tools the request offers, or null when it offers none (then the
     *                            "default" template runs, else "tool_use" if the model has it)
     * @param addGenerationPrompt whether to end with the header of the assistant's next turn
     * @return the prompt text, as the template writes it
     * @throws dev.jgpt.jinja.JinjaException when the template refuses the conversation or fails
     */
    public String render(List<Map<String, Object>> messages, List<Object> toolsOrNull, boolean addGenerationPrompt) {
        Map<String, Object> variables = new LinkedHashMap<>();
        variables.put("messages", messages);
        variables.put("tools", toolsOrNull);
        variables.put("documents", null);
        variables.put("add_generation_prompt", addGenerationPrompt);
        variables.put("bos_token", bosToken);
        variables.put("eos_token", eosToken);
        return Jinja.render(sources.select(toolsOrNull != null), variables, LocalDateTime.now());
    }

    /** The end-of-text token, and the end-of-turn markers of the family the template belongs to, if jgpt knows it. */
    @Override
    public List<String> stops() {
        String all = String.join("\n", sources.byName().values());
        List<String> stops = new ArrayList<>(ChatTemplate.detect(all).map(ChatTemplate::stops).orElse(List.of()));
        if (!eosToken.isEmpty() && !stops.contains(eosToken)) {
            stops.add(eosToken);
        }
        return stops;
    }

    @Override
    public List<String> markers() {
        return List.of();
    }

    @Override
    public String toString() {
        return name();
    }
}
