package dev.jgpt.langchain4j;

import dev.jgpt.generate.Generation;
import dev.jgpt.generate.LanguageModel;
import dev.jgpt.generate.TokenListener;
import dev.jgpt.tools.ToolCall;
import dev.jgpt.tools.ToolCallStream;
import dev.jgpt.tools.ToolCallText;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.DefaultChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.ChatResponseMetadata;
import dev.langchain4j.model.chat.response.CompleteToolCall;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A jgpt model as a LangChain4j {@link ChatModel} and {@link StreamingChatModel}, run in this
 * process: the model's chat template renders the messages and tools, tool calls are read back in
 * the model family's form, {@code toolChoice} {@code REQUIRED} and a JSON {@code responseFormat} are
 * kept by constrained decoding, as the server does. Requests take turns on the one model. A stream's
 * callbacks come on the calling thread, before {@code chat} returns.
 * <pre>{@code
 * try (LanguageModel lm = LanguageModel.open(Path.of("model.gguf"))) {
 *     ChatModel chat = JgptChatModel.builder(lm).build();
 *     String answer = chat.chat("Hello!");
 * }
 * }</pre>
 */
public final class JgptChatModel implements ChatModel, StreamingChatModel {
    private final LanguageModel model;
    private final String modelName;
    private final TurnReader reader;
    private final ChatRequestParameters defaults;
    private final List<ChatModelListener> listeners;

    private JgptChatModel(Builder b) {
        this.model = b.model;
        this.modelName = b.modelName != null ? b.modelName : Names.of(b.model);
        this.reader = new TurnReader(b.model, modelName, b.seed);
        this.defaults = DefaultChatRequestParameters.builder().overrideWith(b.defaults).modelName(modelName).build();
        this.listeners = List.copyOf(b.listeners);
    }

    public static Builder builder(LanguageModel model) {
        return new Builder(Objects.requireNonNull(model, "model"));
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
        Turn turn = reader.read(request);
        return response(turn, generate(turn, TokenListener.NONE));
    }

    @Override
    public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
        try {
            Turn turn = reader.read(request);
            Streamed streamed = new Streamed(turn, handler);
            Generation generation = generate(turn, streamed);
            if (streamed.cancelled()) {
                return; // a cancelled stream hears nothing more
            }
            ChatResponse response = response(turn, generation);
            streamed.finish(response);
            handler.onCompleteResponse(response);
        } catch (RuntimeException e) {
            handler.onError(e);
        }
    }

    /**
     * The prompt text the model would be given for {@code request} (with this model's default
     * parameters under it): the template's rendering of the messages and tools.
     */
    public String prompt(ChatRequest request) {
        return reader.read(ChatRequest.builder().messages(request.messages()).parameters(defaults.overrideWith(request.parameters()))
                .build()).text();
    }

    private Generation generate(Turn turn, TokenListener listener) {
        synchronized (model) { // the model holds one KV cache: requests take turns
            return model.generate(turn.prompt(), turn.settings(), listener);
        }
    }

    /** The answer as LangChain4j's response: its calls (when it made any) or its text, the token counts and why it ended. */
    private ChatResponse response(Turn turn, Generation generation) {
        ToolCallText calls = turn.tools() == null ? null : turn.tools().read(generation.text());
        AiMessage message;
        if (calls != null) {
            List<ToolExecutionRequest> requests = new ArrayList<>();
            for (ToolCall call : calls.calls()) {
                requests.add(ToolExecutionRequest.builder().id(ToolCall.newId()).name(call.name()).arguments(call.arguments()).build());
            }
            message = AiMessage.from(calls.content(), requests);
        } else {
            message = AiMessage.from(generation.text());
        }
        FinishReason finish = calls != null ? FinishReason.TOOL_EXECUTION : switch (generation.finishReason()) {
            case STOP -> FinishReason.STOP;
            case LENGTH, CONTEXT_FULL -> FinishReason.LENGTH;
            case CANCELLED -> FinishReason.OTHER;
        };
        return ChatResponse.builder().aiMessage(message).metadata(ChatResponseMetadata.builder()
                .modelName(modelName)
                .tokenUsage(new TokenUsage(generation.promptTokens().length, generation.tokens().length))
                .finishReason(finish)
                .build()).build();
    }

    @Override
    public ChatRequestParameters defaultRequestParameters() {
        return defaults;
    }

    @Override
    public List<ChatModelListener> listeners() {
        return listeners;
    }

    @Override
    public ModelProvider provider() {
        return ModelProvider.OTHER;
    }

    @Override
    public Set<Capability> supportedCapabilities() {
        return Set.of(Capability.RESPONSE_FORMAT_JSON_SCHEMA);
    }

    /** A stream's tokens handed on as partial responses; text that may still become a tool call is held until the end. */
    private static final class Streamed implements TokenListener, StreamingHandle {
        private final StreamingChatResponseHandler handler;
        private final ToolCallStream calls;
        private final PartialResponseContext context = new PartialResponseContext(this);
        private volatile boolean cancelled;

        Streamed(Turn turn, StreamingChatResponseHandler handler) {
            this.handler = handler;
            this.calls = turn.tools() == null ? null : new ToolCallStream(turn.tools());
        }

        @Override
        public void onToken(int id, String text) {
            send(calls == null ? text : calls.add(text));
        }

        /** The content held back to the end, then each call. */
        void finish(ChatResponse response) {
            if (calls != null) {
                send(calls.finish().content());
            }
            List<ToolExecutionRequest> requests = response.aiMessage().toolExecutionRequests();
            for (int i = 0; i < requests.size(); i++) {
                handler.onCompleteToolCall(new CompleteToolCall(i, requests.get(i)));
            }
        }

        private void send(String text) {
            if (!text.isEmpty()) {
                handler.onPartialResponse(new PartialResponse(text), context);
            }
        }

        @Override
        public void cancel() {
            cancelled = true;
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }

        @Override
        public boolean cancelled() {
            return cancelled;
        }
    }

    /** How a {@link JgptChatModel} is made: the model, and optionally its name, a fixed seed, default parameters and listeners. */
    public static final class Builder {
        private final LanguageModel model;
        private String modelName;
        private Long seed;
        private ChatRequestParameters defaults = DefaultChatRequestParameters.EMPTY;
        private final List<ChatModelListener> listeners = new ArrayList<>();

        private Builder(LanguageModel model) {
            this.model = model;
        }

        /** The name responses carry and requests may give; by default the model file's or folder's name. */
        public Builder modelName(String name) {
            this.modelName = name;
            return this;
        }

        /** The sampler's seed for every request, so the same request gets the same answer; by default a fresh one each time. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Parameters a request that does not give them gets (temperature, maxOutputTokens, toolChoice, ...). */
        public Builder defaultRequestParameters(ChatRequestParameters parameters) {
            this.defaults = Objects.requireNonNull(parameters, "parameters");
            return this;
        }

        public Builder listeners(List<ChatModelListener> listeners) {
            this.listeners.addAll(listeners);
            return this;
        }

        public JgptChatModel build() {
            return new JgptChatModel(this);
        }
    }
}
