package dev.jgpt.langchain4j;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jgpt.JgptException;
import dev.jgpt.Quoted;
import dev.jgpt.constrain.Grammar;
import dev.jgpt.constrain.JsonSchema;
import dev.jgpt.generate.ChatTemplate;
import dev.jgpt.generate.ContextOverflow;
import dev.jgpt.generate.GenerationSettings;
import dev.jgpt.generate.JinjaTemplate;
import dev.jgpt.generate.LanguageModel;
import dev.jgpt.sampling.SamplerSettings;
import dev.jgpt.tools.ToolCallFormat;
import dev.jgpt.tools.ToolSpec;
import dev.jgpt.tools.ToolUse;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.DefaultChatRequestParameters;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.ToolChoice;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Makes a LangChain4j {@link ChatRequest} into a {@link Turn}, as the server makes an OpenAI chat
 * request: the model's template renders the messages and tools; {@code toolChoice} {@code REQUIRED}
 * forces one call by the family's grammar, a JSON {@code responseFormat} holds the answer to its
 * schema; the defaults are OpenAI's (temperature 1, top-p 1, the rest of the context). Whatever jgpt
 * cannot honour is a {@link JgptException} naming it.
 */
final class TurnReader {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNode NO_PARAMETERS = JSON.createObjectNode().put("type", "object").set("properties", JSON.createObjectNode());

    private final LanguageModel model;
    private final ChatTemplate template;
    private final ToolCallFormat format;
    private final String modelName;
    private final Long seed;

    /** @param seed the sampler's seed for every request; null for a fresh one each time */
    TurnReader(LanguageModel model, String modelName, Long seed) {
        this.model = model;
        this.template = model.template();
        this.format = ToolCallFormat.of(template);
        this.modelName = modelName;
        this.seed = seed;
    }

    Turn read(ChatRequest request) {
        ChatRequestParameters p = request.parameters();
        if (p.getClass() != DefaultChatRequestParameters.class) {
            throw new JgptException("jgpt cannot honour the parameters of " + p.getClass().getSimpleName()
                    + ": give DefaultChatRequestParameters (ChatRequestParameters.builder())");
        }
        if (p.modelName() != null && !p.modelName().equals(modelName)) {
            throw new JgptException("modelName is " + Quoted.of(p.modelName()) + ", but this model is " + Quoted.of(modelName));
        }
        List<ToolSpecification> specifications = p.toolSpecifications() == null ? List.of() : p.toolSpecifications();
        ToolChoice choice = p.toolChoice() == null ? ToolChoice.AUTO : p.toolChoice();
        if (specifications.isEmpty() && choice == ToolChoice.REQUIRED) {
            throw new JgptException("toolChoice REQUIRED needs toolSpecifications to choose from");
        }
        boolean showTools = !specifications.isEmpty() && choice != ToolChoice.NONE;
        if (showTools && !(template instanceof JinjaTemplate)) {
            throw new JgptException("toolSpecifications: this model has no chat template of its own, so nothing would show it the tools");
        }
        ToolUse tools = showTools ? new ToolUse(toolSpecs(specifications), format, true) : null;
        Grammar grammar = responseFormat(p.responseFormat());
        if (choice == ToolChoice.REQUIRED) {
            if (grammar != null) {
                throw new JgptException("toolChoice REQUIRED decides the answer's form: give no JSON responseFormat with it");
            }
            grammar = tools.oneCallOf(tools.tools());
        }
        String text = render(request.messages(), showTools ? templateTools(specifications) : null);
        int[] prompt = ChatTemplate.encodeText(text, template, model.tokenizer());
        if (prompt.length > model.contextSize()) {
            throw new JgptException("the prompt has " + prompt.length + " tokens, more than the context window of "
                    + model.contextSize() + " tokens");
        }
        int room = model.contextSize() - prompt.length + 1; // the last position's logits give one token more
        Integer asked = p.maxOutputTokens();
        if (asked != null && asked < 1) {
            throw new JgptException("maxOutputTokens must be at least 1, got " + asked);
        }
        int maxTokens = asked == null ? room : Math.min(asked, room);
        List<String> stops = new ArrayList<>(template.stops());
        stops.addAll(p.stopSequences() == null ? List.of() : p.stopSequences());
        return new Turn(text, prompt, new GenerationSettings(maxTokens, sampler(p), stops, ContextOverflow.STOP, grammar), tools);
    }

    /** The prompt's text as the template renders {@code messages} and {@code templateTools} (null: no tools shown). */
    private String render(List<ChatMessage> messages, List<Object> templateTools) {
        return template instanceof JinjaTemplate jinja ? jinja.render(TemplateMessages.of(messages), templateTools, true)
                : template.render(TemplateMessages.turns(messages));
    }

    private SamplerSettings sampler(ChatRequestParameters p) {
        float temperature = p.temperature() == null ? 1f : p.temperature().floatValue();
        float topP = p.topP() == null ? 1f : p.topP().floatValue();
        int topK = p.topK() == null ? 0 : p.topK();
        float presence = p.presencePenalty() == null ? 0f : p.presencePenalty().floatValue();
        float frequency = p.frequencyPenalty() == null ? 0f : p.frequencyPenalty().floatValue();
        long s = seed != null ? seed : ThreadLocalRandom.current().nextLong();
        return new SamplerSettings(temperature, topK, topP, 0f, 1f, s, presence, frequency);
    }

    /** The language of the answer: null for any text, any JSON object, or the document the schema describes. */
    private static Grammar responseFormat(ResponseFormat format) {
        if (format == null || format.type() == ResponseFormatType.TEXT) {
            return null;
        }
        if (format.jsonSchema() == null) {
            return JsonSchema.anyObject();
        }
        try {
            return JsonSchema.compile(Schemas.of(format.jsonSchema().rootElement()));
        } catch (JgptException e) {
            throw new JgptException("responseFormat " + Quoted.of(Objects.toString(format.jsonSchema().name())) + ": " + e.getMessage(), e);
        }
    }

    private static List<ToolSpec> toolSpecs(List<ToolSpecification> specifications) {
        List<ToolSpec> specs = new ArrayList<>();
        for (ToolSpecification s : specifications) {
            if (specs.stream().anyMatch(t -> t.name().equals(s.name()))) {
                throw new JgptException("two toolSpecifications are named " + Quoted.of(s.name()));
            }
            if (s.metadata() != null && !s.metadata().isEmpty()) {
                throw new JgptException("tool " + Quoted.of(s.name()) + " carries metadata " + s.metadata().keySet()
                        + ", which jgpt does not read");
            }
            specs.add(new ToolSpec(s.name(), s.parameters() == null ? NO_PARAMETERS : Schemas.of(s.parameters())));
        }
        return specs;
    }

    /** The tools as a template reads them, in OpenAI's form: {@code {"type": "function", "function": {name, description, parameters}}}. */
    private static List<Object> templateTools(List<ToolSpecification> specifications) {
        List<Object> tools = new ArrayList<>();
        for (ToolSpecification s : specifications) {
            Map<String, Object> function = new LinkedHashMap<>();
            function.put("name", s.name());
            if (s.description() != null) {
                function.put("description", s.description());
            }
            function.put("parameters", JSON.convertValue(s.parameters() == null ? NO_PARAMETERS : Schemas.of(s.parameters()), Map.class));
            Map<String, Object> tool = new LinkedHashMap<>();
            tool.put("type", "function");
            tool.put("function", function);
            tools.add(tool);
        }
        return tools;
    }
}
