package dev.jgpt.cli;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jgpt.JgptException;
import dev.jgpt.Quoted;
import dev.jgpt.generate.JinjaTemplate;
import dev.jgpt.generate.LanguageModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "render-chat", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Print the prompt a chat template makes of a conversation, as Hugging Face's apply_chat_template does.",
            "",
            "The messages are a JSON array of OpenAI-style messages (role, content, tool_calls, tool_call_id, ...); the "
                    + "template is a Jinja file (--template) or the model's own (--model)."})
final class RenderChatCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Option(names = "--messages", paramLabel = "FILE", required = true, description = "The conversation: a JSON array of messages.")
    Path messages;

    @Option(names = "--tools", paramLabel = "FILE", description = "Tools the model may call: a JSON array of OpenAI-style tools.")
    Path tools;

    @Option(names = "--template", paramLabel = "FILE", description = "A Jinja chat template (default: the model's own).")
    Path template;

    @Mixin
    ModelOptions model = new ModelOptions();

    @Option(names = "--no-generation-prompt", description = "End with the last message, without the header of the assistant's next turn.")
    boolean noGenerationPrompt;

    @Option(names = "--bos", paramLabel = "TEXT", description = "bos_token (default: the model's begin-of-text token; none with --template).")
    String bos;

    @Option(names = "--eos", paramLabel = "TEXT", description = "eos_token (default: the model's end-of-text token; none with --template).")
    String eos;

    @Override
    @SuppressWarnings("unchecked")
    public Integer call() {
        List<Map<String, Object>> conversation = read(messages, List.class, "a JSON array of messages");
        List<Object> toolList = tools == null ? null : read(tools, List.class, "a JSON array of tools");
        JinjaTemplate jinja = template != null ? fromFile(template) : fromModel();
        String prompt = jinja.render(conversation, toolList, !noGenerationPrompt);
        spec.commandLine().getOut().print(prompt);
        spec.commandLine().getOut().flush();
        return 0;
    }

    private JinjaTemplate fromFile(Path file) {
        try {
            return new JinjaTemplate(Files.readString(file), bos == null ? "" : bos, eos == null ? "" : eos);
        } catch (IOException e) {
            throw new JgptException("cannot read the chat template " + Quoted.of(file.toString()) + ": " + e.getMessage(), e);
        }
    }

    private JinjaTemplate fromModel() {
        try (LanguageModel lm = model.open()) {
            if (!(lm.template() instanceof JinjaTemplate own)) {
                throw new JgptException("the model has no chat template of its own: give one with --template FILE");
            }
            return new JinjaTemplate(own.sources(), bos == null ? own.bosToken() : bos, eos == null ? own.eosToken() : eos);
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> T read(Path file, Class<?> type, String what) {
        try {
            Object value = JSON.readValue(file.toFile(), Object.class);
            if (!type.isInstance(value)) {
                throw new JgptException(Quoted.of(file.toString()) + " must hold " + what);
            }
            return (T) value;
        } catch (JacksonException e) {
            throw new JgptException(Quoted.of(file.toString()) + " is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new JgptException("cannot read " + Quoted.of(file.toString()) + ": " + e.getMessage(), e);
        }
    }
}
