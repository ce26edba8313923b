package dev.jgpt.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jgpt.constrain.TextState;
import dev.jgpt.generate.JinjaTemplate;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each family's tool-call format on answers as models write them; a malformed call stays content. */
class ToolCallFormatTest {
    private static final ToolCall WEATHER = new ToolCall("get_weather", "{\"city\":\"Paris\"}");
    private static final ToolCall TIME = new ToolCall("get_time", "{\"zone\":\"UTC\"}");

    @Test
    void hermesReadsEachTaggedCallAndKeepsTheTextAround() {
        ToolCallText read = new HermesFormat().parse("Let me look.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n"
                + "</tool_call>\n<tool_call>\n{\"name\": \"get_time\", \"arguments\": {\"zone\": \"UTC\"}}\n</tool_call>");
        assertThat(read.calls()).containsExactly(WEATHER, TIME);
        assertThat(read.content()).isEqualTo("Let me look.\n\n");
        ToolCallText alone = new HermesFormat().parse("<tool_call>\n{\"name\": \"get_time\", \"arguments\": {\"zone\": \"UTC\"}}\n");
        assertThat(alone.calls()).containsExactly(TIME);
        assertThat(alone.content()).isNull();
    }

    @Test
    void llamaReadsTheWholeAnswerOrWhatFollowsThePythonTag() {
        assertThat(new LlamaFormat().parse("{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Paris\"}}").calls()).containsExactly(WEATHER);
        ToolCallText tagged = new LlamaFormat().parse("<|python_tag|>{\"name\": \"get_time\", \"parameters\": {\"zone\": \"UTC\"}}");
        assertThat(tagged.calls()).containsExactly(TIME);
        assertThat(tagged.content()).isNull();
    }

    @Test
    void mistralReadsTheListAfterItsMarker() {
        ToolCallText read = new MistralFormat().parse("[TOOL_CALLS] [{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}},"
                + " {\"name\": \"get_time\", \"arguments\": {\"zone\": \"UTC\"}}]");
        assertThat(read.calls()).containsExactly(WEATHER, TIME);
        assertThat(read.content()).isNull();
    }

    @Test
    void theGenericFormReadsAnObjectOrAListAndArgumentsWrittenAsAString() {
        assertThat(new JsonFormat().parse(" {\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n").calls()).containsExactly(WEATHER);
        assertThat(new JsonFormat().parse("[{\"name\": \"get_time\", \"arguments\": \"{\\\"zone\\\": \\\"UTC\\\"}\"}]").calls()).containsExactly(TIME);
    }

    @Test
    void malformedCallsAreNoCalls() {
        assertThat(new HermesFormat().parse("<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \n</tool_call>")).isNull();
        assertThat(new HermesFormat().parse("no call here")).isNull();
        assertThat(new LlamaFormat().parse("{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Paris\"}} and more")).isNull();
        assertThat(new LlamaFormat().parse("<|python_tag|>brave_search.call(query=\"x\")")).isNull();
        assertThat(new MistralFormat().parse("[TOOL_CALLS] [{\"arguments\": {}}]")).isNull();
        assertThat(new JsonFormat().parse("{\"answer\": 42}")).isNull();
        assertThat(new JsonFormat().parse("[]")).isNull();
        assertThat(new JsonFormat().parse("{\"name\": \"f\", \"arguments\": [1]}")).isNull();
    }

    @Test
    void aCallOfAFunctionNotOfferedOrASecondOneWithoutParallelCalls() {
        ToolUse onlyWeather = new ToolUse(List.of(new ToolSpec("get_weather", null)), new JsonFormat(), true);
        assertThat(onlyWeather.read("{\"name\": \"get_time\", \"arguments\": {}}")).isNull();
        ToolUse one = new ToolUse(List.of(new ToolSpec("get_weather", null), new ToolSpec("get_time", null)), new MistralFormat(), false);
        assertThat(one.read("[TOOL_CALLS] [{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}, {\"name\": \"get_time\","
                + " \"arguments\": {\"zone\": \"UTC\"}}]").calls()).containsExactly(WEATHER);
    }

    @Test
    void textThatMayStartACallIsHeldBack() {
        assertThat(new HermesFormat().holdFrom("Sure <tool")).isEqualTo(5);
        assertThat(new HermesFormat().holdFrom("Sure <b>")).isEqualTo(8);
        assertThat(new HermesFormat().holdFrom("a <tool_call>{} more")).isEqualTo(2);
        assertThat(new LlamaFormat().holdFrom("  {\"na")).isZero();
        assertThat(new LlamaFormat().holdFrom("Hello <|py")).isEqualTo(6);
        assertThat(new JsonFormat().holdFrom("Hello {")).isEqualTo(7);
        assertThat(new MistralFormat().holdFrom("x [TOOL_")).isEqualTo(2);
    }

    @Test
    void theFormatIsPickedFromTheTemplatesMarkers() {
        assertThat(ToolCallFormat.of(new JinjaTemplate("{{ '<tool_call>' }}", "", ""))).isInstanceOf(HermesFormat.class);
        assertThat(ToolCallFormat.of(new JinjaTemplate("{{ '[TOOL_CALLS]' }}", "", ""))).isInstanceOf(MistralFormat.class);
        assertThat(ToolCallFormat.of(new JinjaTemplate("{{ '<|start_header_id|>' }}", "", ""))).isInstanceOf(LlamaFormat.class);
        assertThat(ToolCallFormat.of(new JinjaTemplate("{{ messages }}", "", ""))).isInstanceOf(JsonFormat.class);
    }

    @Test
    void eachFormatsForcedCallIsOneItReadsBack() {
        List<ToolSpec> tools = List.of(new ToolSpec("get_weather", CallJson.parse("{\"type\": \"object\", \"properties\": {\"city\": "
                + "{\"type\": \"string\"}}, \"required\": [\"city\"], \"additionalProperties\": false}")));
        for (ToolCallFormat format : List.of(new HermesFormat(), new LlamaFormat(), new MistralFormat(), new JsonFormat())) {
            String argumentsKey = format instanceof LlamaFormat ? "parameters" : "arguments";
            String call = "{\"name\": \"get_weather\", \"" + argumentsKey + "\": {\"city\": \"Paris\"}}";
            String text = switch (format) {
                case HermesFormat h -> "<tool_call>\n" + call + "\n</tool_call>";
                case MistralFormat m -> "[TOOL_CALLS] [" + call + "]";
                default -> call;
            };
            assertThat(accepts(format.oneCall(tools).start(), text)).as(text).isTrue();
            assertThat(accepts(format.oneCall(tools).start(), text.replace("Paris\"", "Paris\", \"x\": 1"))).as(text).isFalse();
            assertThat(format.parse(text).calls()).as(text).containsExactly(WEATHER);
        }
    }

    @Test
    void aForcedFunctionWhoseSchemaCannotBeEnforcedIsNamed() {
        ToolSpec good = new ToolSpec("get_time", CallJson.parse("{\"type\": \"object\"}"));
        ToolSpec bad = new ToolSpec("get_weather", CallJson.parse("{\"type\": \"string\", \"pattern\": \"x\"}"));
        ToolUse use = new ToolUse(List.of(good, bad), new HermesFormat(), true);
        assertThat(use.oneCallOf(List.of(good))).isNotNull();
        assertThatThrownBy(() -> use.oneCallOf(List.of(good, bad))).isInstanceOfSatisfying(ToolUse.UnenforceableSchema.class, e -> {
            assertThat(e.tool()).isEqualTo(bad);
            assertThat(e.getMessage()).contains("'get_weather'", "pattern");
        });
    }

    private static boolean accepts(TextState state, String text) {
        for (int cp : text.codePoints().toArray()) {
            state = state.next(cp);
            if (state == null) {
                return false;
            }
        }
        return state.complete();
    }
}
