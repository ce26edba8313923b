package dev.jgpt.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jgpt.JgptException;
import dev.jgpt.SharedData;
import dev.jgpt.TinyModels;
import dev.jgpt.generate.LanguageModel;
import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.listener.ChatModelRequestContext;
import dev.langchain4j.model.chat.listener.ChatModelResponseContext;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.DefaultChatRequestParameters;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.ToolChoice;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonRawSchema;
import dev.langchain4j.model.chat.request.json.JsonSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.CompleteToolCall;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.service.AiServices;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chat model on a random GPT-2 that carries Qwen 2.5's chat template: a random model chooses
 * nothing, so tool calls are forced and JSON is held to its schema by constrained decoding, as the
 * server does it; LangChain4j's own {@link AiServices} drives it.
 */
class JgptChatModelTest {
    private static final String QWEN = "Qwen_Qwen2.5-7B-Instruct";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ToolSpecification WEATHER = ToolSpecification.builder().name("get_weather").description("The weather in a city")
            .parameters(JsonObjectSchema.builder().addStringProperty("city").addIntegerProperty("days").required("city", "days")
                    .additionalProperties(false).build()).build();

    @TempDir
    static Path dir;
    static LanguageModel lm;

    @BeforeAll
    static void open() throws Exception {
        String template = SharedData.chatTemplate(QWEN);
        TinyModels.charGpt2Folder(dir, 0, 2048);
        Files.writeString(dir.resolve("chat_template.jinja"), template);
        lm = LanguageModel.open(dir);
    }

    @AfterAll
    static void close() {
        if (lm != null) {
            lm.close();
        }
    }

    /** What AiServices asks of the model: a forecast, as a record it parses from the answer's JSON. */
    record Forecast(@JsonProperty(required = true) String summary, @JsonProperty(required = true) int degrees,
                    @JsonProperty(required = true) boolean sunny) {
    }

    interface Forecaster {
        Forecast forecast(String question);
    }

    /** A tool that notes each call and answers with a number the template must show the model. */
    static final class Thermometer {
        final List<String> cities = new CopyOnWriteArrayList<>();

        @Tool("The temperature in a city, in degrees Celsius")
        int temperature(@P("the city") String city) {
            cities.add(city);
            return 17;
        }
    }

    @Test
    void aiServicesCallsTheToolFeedsItsResultBackAndReturnsTheRecordParsedFromJson() throws Exception {
        List<ChatRequest> requests = new CopyOnWriteArrayList<>();
        List<ChatResponse> responses = new CopyOnWriteArrayList<>();
        JgptChatModel chat = JgptChatModel.builder(lm).seed(3)
                .defaultRequestParameters(ChatRequestParameters.builder().maxOutputTokens(200).build())
                .listeners(List.of(new ChatModelListener() {
                    @Override
                    public void onRequest(ChatModelRequestContext context) {
                        requests.add(context.chatRequest());
                    }

                    @Override
                    public void onResponse(ChatModelResponseContext context) {
                        responses.add(context.chatResponse());
                    }
                })).build();
        Thermometer thermometer = new Thermometer();
        Forecaster forecaster = AiServices.builder(Forecaster.class).chatModel(chat).tools(thermometer)
                // a random model calls nothing unless made to: the question's turn must call a tool, the next one answers
                .chatRequestTransformer(request -> request.messages().getLast() instanceof UserMessage
                        ? request.toBuilder().parameters(ChatRequestParameters.builder().overrideWith(request.parameters())
                                .toolChoice(ToolChoice.REQUIRED).responseFormat((ResponseFormat) null).build()).build()
                        : request)
                .build();

        Forecast forecast = forecaster.forecast("Will it be warm in Paris?");

        // the record holds what the answer's JSON says, every field of it: the schema made the model write them all
        JsonNode answer = JSON.readTree(responses.get(1).aiMessage().text());
        assertThat(forecast).isEqualTo(new Forecast(answer.get("summary").textValue(), answer.get("degrees").intValue(),
                answer.get("sunny").booleanValue()));
        assertThat(responses.get(0).finishReason()).isEqualTo(FinishReason.TOOL_EXECUTION);
        assertThat(thermometer.cities).hasSize(1);
        assertThat(requests).hasSize(2);
        assertThat(requests.get(0).toolSpecifications()).extracting(ToolSpecification::name).containsExactly("temperature");
        assertThat(chat.prompt(requests.get(0))).contains("<tools>", "\"name\": \"temperature\"", "Will it be warm in Paris?");
        assertThat(requests.get(1).responseFormat().type()).isEqualTo(ResponseFormatType.JSON);
        // the call as the model wrote it and its result, rendered by the model's own template
        assertThat(chat.prompt(requests.get(1))).contains("<tool_call>\n{\"name\": \"temperature\", \"arguments\": {",
                "<tool_response>\n17\n</tool_response>");
    }

    @Test
    void aForcedCallKeepsItsSchemaAndEndsWithToolExecution() throws Exception {
        JgptChatModel chat = JgptChatModel.builder(lm).seed(5).build();
        for (int seed = 0; seed < 3; seed++) {
            ChatResponse response = JgptChatModel.builder(lm).seed(seed).build().chat(weatherRequest(ToolChoice.REQUIRED, 300));
            assertThat(response.finishReason()).isEqualTo(FinishReason.TOOL_EXECUTION);
            assertThat(response.aiMessage().text()).isNull();
            assertThat(response.aiMessage().toolExecutionRequests()).singleElement().satisfies(call -> {
                assertThat(call.id()).startsWith("call_");
                assertThat(call.name()).isEqualTo("get_weather");
                JsonNode arguments = JSON.readTree(call.arguments());
                assertThat(arguments.get("city").isTextual()).as(call.arguments()).isTrue();
                assertThat(arguments.get("days").isIntegralNumber()).as(call.arguments()).isTrue();
                assertThat(arguments.size()).isEqualTo(2);
            });
        }
        assertThat(chat.chat(weatherRequest(ToolChoice.NONE, 5)).aiMessage().hasToolExecutionRequests()).isFalse();
    }

    @Test
    void aJsonSchemaAnswerParsesAndKeepsTheSchema() throws Exception {
        JsonObjectSchema schema = JsonObjectSchema.builder().addStringProperty("answer").addIntegerProperty("score")
                .addBooleanProperty("sure").required("answer", "score", "sure").additionalProperties(false).build();
        for (int seed = 0; seed < 3; seed++) {
            ChatResponse response = JgptChatModel.builder(lm).seed(seed).build().chat(ChatRequest.builder()
                    .messages(UserMessage.from("Rate this."))
                    .parameters(ChatRequestParameters.builder().maxOutputTokens(120)
                            .responseFormat(JsonSchema.builder().name("rating").rootElement(schema).build()).build())
                    .build());
            JsonNode doc = JSON.readTree(response.aiMessage().text());
            assertThat(doc.get("answer").isTextual()).isTrue();
            assertThat(doc.get("score").isIntegralNumber()).isTrue();
            assertThat(doc.get("sure").isBoolean()).isTrue();
            assertThat(doc.size()).isEqualTo(3);
            assertThat(response.finishReason()).isEqualTo(FinishReason.STOP);
        }
    }

    @Test
    void tokenUsageCountsThePromptAndTheNewTokens() {
        JgptChatModel chat = JgptChatModel.builder(lm).seed(1).build();
        ChatRequest request = ChatRequest.builder().messages(UserMessage.from("Hello")).maxOutputTokens(7).build();
        ChatResponse response = chat.chat(request);
        assertThat(response.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(response.tokenUsage().outputTokenCount()).isEqualTo(7);
        assertThat(response.tokenUsage().inputTokenCount()).isEqualTo(lm.tokenizer().encode(chat.prompt(request)).length);
        assertThat(response.tokenUsage().totalTokenCount()).isEqualTo(response.tokenUsage().inputTokenCount() + 7);
        assertThat(response.modelName()).isEqualTo(dir.getFileName().toString());
    }

    @Test
    void aStreamDeliversTokensThatAddUpToTheCompleteResponse() {
        ChatRequest request = ChatRequest.builder().messages(UserMessage.from("Tell me a story.")).maxOutputTokens(24).build();
        Collected plain = stream(request);
        assertThat(plain.partials.size()).isGreaterThan(1);
        assertThat(String.join("", plain.partials)).isEqualTo(plain.response.aiMessage().text());
        assertThat(plain.response).isEqualTo(JgptChatModel.builder(lm).seed(9).build().chat(request));

        Collected called = stream(weatherRequest(ToolChoice.REQUIRED, 300));
        assertThat(called.partials).isEmpty(); // the call's text is held, then given as a call
        assertThat(called.calls).extracting(CompleteToolCall::toolExecutionRequest)
                .isEqualTo(called.response.aiMessage().toolExecutionRequests()).hasSize(1);
        assertThat(called.response.finishReason()).isEqualTo(FinishReason.TOOL_EXECUTION);
    }

    @Test
    void aStreamCancelledFromItsHandlerStopsAndHearsNothingMore() {
        List<String> partials = new ArrayList<>();
        List<Object> ends = new ArrayList<>();
        JgptChatModel.builder(lm).seed(9).build().chat(ChatRequest.builder().messages(UserMessage.from("Go")).maxOutputTokens(50).build(),
                new StreamingChatResponseHandler() {
                    @Override
                    public void onPartialResponse(dev.langchain4j.model.chat.response.PartialResponse partial,
                                                  dev.langchain4j.model.chat.response.PartialResponseContext context) {
                        partials.add(partial.text());
                        if (partials.size() == 3) {
                            context.streamingHandle().cancel();
                        }
                    }

                    @Override
                    public void onCompleteResponse(ChatResponse response) {
                        ends.add(response);
                    }

                    @Override
                    public void onError(Throwable error) {
                        ends.add(error);
                    }
                });
        assertThat(partials).hasSizeBetween(3, 4); // the token sampled as the flag was set still comes
        assertThat(ends).isEmpty();
    }

    @Test
    void whatJgptCannotHonourIsAnErrorNamingIt() {
        JgptChatModel chat = JgptChatModel.builder(lm).build();
        assertThatThrownBy(() -> chat.chat(ChatRequest.builder().messages(UserMessage.from("hi")).modelName("gpt-4o").build()))
                .isInstanceOf(JgptException.class).hasMessageContaining("modelName").hasMessageContaining("gpt-4o");
        assertThatThrownBy(() -> chat.chat(ChatRequest.builder().messages(UserMessage.from("hi")).toolChoice(ToolChoice.REQUIRED).build()))
                .isInstanceOf(JgptException.class).hasMessageContaining("toolChoice REQUIRED");
        assertThatThrownBy(() -> chat.chat(ChatRequest.builder().messages(UserMessage.from(TextContent.from("what is this?"),
                ImageContent.from("https://example.com/cat.png"))).build()))
                .isInstanceOf(JgptException.class).hasMessageContaining("message 0").hasMessageContaining("IMAGE");
        assertThatThrownBy(() -> chat.chat(ChatRequest.builder().messages(UserMessage.from("hi")).responseFormat(ResponseFormat.builder()
                .type(ResponseFormatType.JSON).jsonSchema(JsonSchema.builder().name("code")
                        .rootElement(JsonRawSchema.from("{\"type\": \"string\", \"pattern\": \"^[a-z]+$\"}")).build()).build()).build()))
                .isInstanceOf(JgptException.class).hasMessageContaining("'code'").hasMessageContaining("pattern");
        assertThatThrownBy(() -> chat.chat(ChatRequest.builder().messages(UserMessage.from("hi")).temperature(3.0).build()))
                .isInstanceOf(JgptException.class).hasMessageContaining("temperature");
        assertThatThrownBy(() -> chat.chat(ChatRequest.builder().messages(UserMessage.from("hi")).parameters(new ProviderParameters()).build()))
                .isInstanceOf(JgptException.class).hasMessageContaining("ProviderParameters");
        ChatRequest forcedWithJson = weatherRequest(ToolChoice.REQUIRED, 10).toBuilder().parameters(ChatRequestParameters.builder()
                .overrideWith(weatherRequest(ToolChoice.REQUIRED, 10).parameters()).responseFormat(ResponseFormat.JSON).build()).build();
        assertThatThrownBy(() -> chat.chat(forcedWithJson)).isInstanceOf(JgptException.class).hasMessageContaining("responseFormat");
    }

    /** Parameters of a provider's own kind, whose options jgpt does not know. */
    private static final class ProviderParameters extends DefaultChatRequestParameters {
        ProviderParameters() {
            super(DefaultChatRequestParameters.builder());
        }

        @Override
        public ChatRequestParameters defaultedBy(ChatRequestParameters defaults) {
            return this; // as a provider's own kind keeps itself when a model's defaults are merged under it
        }
    }

    private static ChatRequest weatherRequest(ToolChoice choice, int maxTokens) {
        return ChatRequest.builder().messages(UserMessage.from("Weather in Paris?"))
                .parameters(ChatRequestParameters.builder().toolSpecifications(WEATHER).toolChoice(choice).maxOutputTokens(maxTokens).build())
                .build();
    }

    private record Collected(List<String> partials, List<CompleteToolCall> calls, ChatResponse response) {
    }

    private static Collected stream(ChatRequest request) {
        List<String> partials = new ArrayList<>();
        List<CompleteToolCall> calls = new ArrayList<>();
        ChatResponse[] response = new ChatResponse[1];
        JgptChatModel.builder(lm).seed(9).build().chat(request, new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String partial) {
                partials.add(partial);
            }

            @Override
            public void onCompleteToolCall(CompleteToolCall call) {
                calls.add(call);
            }

            @Override
            public void onCompleteResponse(ChatResponse complete) {
                response[0] = complete;
            }

            @Override
            public void onError(Throwable error) {
                throw new AssertionError(error);
            }
        });
        assertThat(response[0]).as("the stream ended, before chat returned").isNotNull();
        return new Collected(partials, calls, response[0]);
    }
}
