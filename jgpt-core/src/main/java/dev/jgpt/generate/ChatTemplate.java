package dev.jgpt.generate;

import dev.jgpt.JgptException;
import dev.jgpt.Quoted;
import dev.jgpt.tokenizer.Tokenizer;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Collectors;

/**
 * How a chat model expects a conversation written as one prompt: each family wraps the messages
 * in its own markers and ends the prompt with the header of the assistant's next turn (the
 * "generation prompt"), so that the model writes the answer and then its end-of-turn marker.
 *
 * <p>The begin-of-text token: some families write it at the start of the prompt ({@link #bos});
 * others leave it to the tokenizer, which adds it when the model asks for it (a GGUF file's
 * {@code tokenizer.ggml.add_bos_token}, {@link Tokenizer#addsBos()}). {@link #render} returns the
 * text after it, and {@link #encode} puts it first, once, in either case.
 *
 * <p>A model carries its template in its metadata ({@code tokenizer.chat_template}, a Jinja
 * program), which {@link #forModel} runs ({@link JinjaTemplate}); the families here, written
 * out by hand, serve models without one and the {@code --chat-template NAME} choice.
 */
public interface ChatTemplate {
    /**
     * The family's name, as {@link #named} takes it.
     *
     * @return the lower-case name, such as {@code "llama3"}
     */
    String name();

    /**
     * The begin-of-text token the family's template writes first, if it writes one.
     *
     * @return the token's text, or empty when the template writes none
     */
    Optional<String> bos();

    /**
     * The conversation as prompt text after the begin-of-text token, ending with the generation prompt.
     *
     * @param messages the conversation so far, oldest first
     * @return the prompt text
     */
    String render(List<ChatMessage> messages);

    /**
     * Text that ends an assistant turn: generation stops there, and it is not part of the answer.
     *
     * @return the stop strings, possibly empty
     */
    List<String> stops();

    /**
     * Strings whose presence in a model's Jinja template identifies this family (all of them must appear).
     *
     * @return the markers; empty for a family that is never detected
     */
    List<String> markers();

    /**
     * The prompt's token ids: the begin-of-text token, if the tokenizer adds one or the family
     * writes one the tokenizer knows, then the rendered text (special tokens' texts as their ids).
     *
     * @param messages the conversation so far, oldest first
     * @param tokenizer the model's tokenizer
     * @return the prompt's token ids
     */
    @SuppressWarnings("exports")
    default int[] encode(List<ChatMessage> messages, Tokenizer tokenizer) {
        return encodeText(render(messages), this, tokenizer);
    }

    /**
     * {@code text}, rendered by {@code template}, as the prompt's token ids (see {@link #encode}).
     *
     * @param text the rendered prompt text
     * @param template the template that rendered it, which tells whether it writes a begin-of-text token
     * @param tokenizer the model's tokenizer
     * @return the prompt's token ids, the begin-of-text token first once if there is one
     */
    @SuppressWarnings("exports")
    static int[] encodeText(String text, ChatTemplate template, Tokenizer tokenizer) {
        int[] ids = tokenizer.encode(text);
        OptionalInt bos = tokenizer.addsBos() ? tokenizer.bosId() : template.bos().map(tokenizer::specialId).orElse(OptionalInt.empty());
        if (bos.isEmpty() || (ids.length > 0 && ids[0] == bos.getAsInt())) {
            return ids;
        }
        int[] withBos = new int[ids.length + 1];
        withBos[0] = bos.getAsInt();
        System.arraycopy(ids, 0, withBos, 1, ids.length);
        return withBos;
    }

    /** Llama 3: {@code <|start_header_id|>role<|end_header_id|>\n\ncontent<|eot_id|>}, content trimmed. */
    ChatTemplate LLAMA3 = new TurnTemplate("llama3", Optional.of("<|begin_of_text|>"),
            role -> "<|start_header_id|>" + role.wireName() + "<|end_header_id|>\n\n", "<|eot_id|>", true,
            List.of("<|eot_id|>"), List.of("<|start_header_id|>"));

    /** ChatML (Qwen and many others): {@code <|im_start|>role\ncontent<|im_end|>\n}; no begin-of-text token. */
    ChatTemplate CHATML = new TurnTemplate("chatml", Optional.empty(),
            role -> "<|im_start|>" + role.wireName() + "\n", "<|im_end|>\n", false,
            List.of("<|im_end|>"), List.of("<|im_start|>"));

    /** Zephyr (TinyLlama chat): {@code <|role|>\ncontent</s>\n}; the begin-of-text token is the tokenizer's to add. */
    ChatTemplate ZEPHYR = new TurnTemplate("zephyr", Optional.empty(),
            role -> "<|" + role.wireName() + "|>\n", "</s>\n", false,
            List.of("</s>"), List.of("<|user|>", "<|assistant|>"));

    /** Llama 2 chat: {@code [INST] <<SYS>>\nsystem\n<</SYS>>\n\nuser [/INST] answer </s><s>[INST] ...}. */
    ChatTemplate LLAMA2 = new Llama2Template();

    /**
     * For models without a template (base models such as GPT-2): a readable transcript,
     * {@code System: ...\nUser: ...\nAssistant: ...\n}, ending with {@code Assistant:}; the
     * model's next {@code \nUser:} ends its turn.
     */
    ChatTemplate PLAIN = new TurnTemplate("plain", Optional.empty(),
            role -> switch (role) {
                case SYSTEM -> "System: ";
                case USER -> "User: ";
                case ASSISTANT -> "Assistant: ";
                case TOOL -> "Tool: ";
            }, "\n", true,
            // no space after the colon: a byte-level BPE spells the answer's first word with its space
            "Assistant:", List.of("\nUser:"), List.of());

    /** Every family, in the order {@link #detect} tries them. */
    List<ChatTemplate> ALL = List.of(LLAMA3, CHATML, ZEPHYR, LLAMA2, PLAIN);

    /**
     * The family called {@code name} (llama3, chatml, zephyr, llama2, plain; any case).
     *
     * @param name the family's name
     * @return that family's template
     * @throws JgptException naming the known families when there is none of that name
     */
    static ChatTemplate named(String name) {
        for (ChatTemplate template : ALL) {
            if (template.name().equals(name.toLowerCase(Locale.ROOT))) {
                return template;
            }
        }
        throw new JgptException("unknown chat template " + Quoted.of(name) + ": the known ones are " + names());
    }

    /**
     * The family whose markers all appear in a model's Jinja chat template, if any.
     *
     * @param jinja the model's Jinja chat template source
     * @return the first such family in {@link #ALL}'s order, or empty
     */
    static Optional<ChatTemplate> detect(String jinja) {
        return ALL.stream()
                .filter(t -> !t.markers().isEmpty() && t.markers().stream().allMatch(jinja::contains))
                .findFirst();
    }

    /**
     * The template for a model that carries {@code sourcesOrNull} as its chat templates: those
     * programs, run ({@link JinjaTemplate}); {@link #PLAIN} when it has none.
     *
     * @param sourcesOrNull the model's chat templates, or null when it carries none
     * @param bosToken the text of the model's begin-of-text token ("" when it has none)
     * @param eosToken the text of its end-of-text token, where generation stops ("" when it has none)
     * @return the model's template
     */
    static ChatTemplate forModel(ChatTemplateSources sourcesOrNull, String bosToken, String eosToken) {
        if (sourcesOrNull == null || sourcesOrNull.isBlank()) {
            return PLAIN;
        }
        return new JinjaTemplate(sourcesOrNull, bosToken, eosToken);
    }

    /**
     * The families' names, for messages.
     *
     * @return "llama3, chatml, zephyr, llama2, plain"
     */
    static String names() {
        return ALL.stream().map(ChatTemplate::name).collect(Collectors.joining(", "));
    }
}
