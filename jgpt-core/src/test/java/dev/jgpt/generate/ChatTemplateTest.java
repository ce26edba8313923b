package dev.jgpt.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jgpt.JgptException;
import dev.jgpt.SharedData;
import dev.jgpt.tokenizer.Tokenizer;
import dev.jgpt.tokenizer.TokenizerLoader;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The chat templates against Jinja itself: each family's format written as a Jinja chat template
 * (the form models carry in their metadata) and rendered by Python's jinja2 the way model hubs
 * render them, on fixed and random conversations.
 */
class ChatTemplateTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    // Each family's documented format as a Jinja program; '\\n' is a newline escape inside Jinja strings.
    private static final String LLAMA3_JINJA = """
            {{- bos_token -}}
            {%- for message in messages -%}
                {{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' + (message['content'] | trim) + '<|eot_id|>' -}}
            {%- endfor -%}
            {%- if add_generation_prompt -%}
                {{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' -}}
            {%- endif -%}""";

    private static final String CHATML_JINJA = """
            {%- for message in messages -%}
                {{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' -}}
            {%- endfor -%}
            {%- if add_generation_prompt -%}{{- '<|im_start|>assistant\\n' -}}{%- endif -%}""";

    // block style: trim_blocks drops the newline after each tag, the one after each {{ }} stays
    private static final String ZEPHYR_JINJA = """
            {% for message in messages %}
            {% if message['role'] == 'system' %}
            {{ '<|system|>\\n' + message['content'] + eos_token }}
            {% elif message['role'] == 'user' %}
            {{ '<|user|>\\n' + message['content'] + eos_token }}
            {% else %}
            {{ '<|assistant|>\\n' + message['content'] + eos_token }}
            {% endif %}
            {% endfor %}
            {% if add_generation_prompt %}
            {{ '<|assistant|>' }}
            {% endif %}
            """;

    private static final String LLAMA2_JINJA = """
            {%- if messages[0]['role'] == 'system' -%}
                {%- set system = messages[0]['content'] -%}
                {%- set turns = messages[1:] -%}
            {%- else -%}
                {%- set system = none -%}
                {%- set turns = messages -%}
            {%- endif -%}
            {%- for message in turns -%}
                {%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) -%}
                    {{- raise_exception('roles must alternate user/assistant') -}}
                {%- endif -%}
                {%- if message['role'] == 'user' -%}
                    {%- set text = message['content'] -%}
                    {%- if loop.first and system is not none -%}
                        {%- set text = '<<SYS>>\\n' + system + '\\n<</SYS>>\\n\\n' + text -%}
                    {%- endif -%}
                    {{- bos_token + '[INST] ' + (text | trim) + ' [/INST]' -}}
                {%- else -%}
                    {{- ' ' + (message['content'] | trim) + ' ' + eos_token -}}
                {%- endif -%}
            {%- endfor -%}""";

    // jgpt's own format for models without a template, written the same way as its specification
    private static final String PLAIN_JINJA = """
            {%- set names = {'system': 'System', 'user': 'User', 'assistant': 'Assistant'} -%}
            {%- for message in messages -%}
                {{- names[message['role']] + ': ' + (message['content'] | trim) + '\\n' -}}
            {%- endfor -%}
            {%- if add_generation_prompt -%}{{- 'Assistant:' -}}{%- endif -%}""";

    record Family(ChatTemplate template, String jinja, String bosToken, String eosToken) {}

    private static final List<Family> FAMILIES = List.of(
            new Family(ChatTemplate.LLAMA3, LLAMA3_JINJA, "<|begin_of_text|>", "<|end_of_text|>"),
            new Family(ChatTemplate.CHATML, CHATML_JINJA, "", "<|endoftext|>"),
            new Family(ChatTemplate.ZEPHYR, ZEPHYR_JINJA, "<s>", "</s>"),
            new Family(ChatTemplate.LLAMA2, LLAMA2_JINJA, "<s>", "</s>"),
            new Family(ChatTemplate.PLAIN, PLAIN_JINJA, "", ""));

    @Test
    void everyFamilyRendersAsJinjaRendersItsTemplate() throws Exception {
        List<List<ChatMessage>> conversations = new ArrayList<>(fixedConversations());
        Random random = new Random(20240611);
        for (int i = 0; i < 40; i++) {
            conversations.add(randomConversation(random));
        }
        List<Map<String, Object>> cases = new ArrayList<>();
        for (Family family : FAMILIES) {
            for (List<ChatMessage> conversation : conversations) {
                Map<String, Object> c = new LinkedHashMap<>();
                c.put("template", family.jinja());
                c.put("messages", conversation.stream().map(m -> Map.of("role", m.role().wireName(), "content", m.content())).toList());
                c.put("bos_token", family.bosToken());
                c.put("eos_token", family.eosToken());
                cases.add(c);
            }
        }
        List<String> rendered = jinja(cases);
        int k = 0;
        for (Family family : FAMILIES) {
            for (List<ChatMessage> conversation : conversations) {
                String expected = rendered.get(k++);
                // the template's text starts after the begin-of-text token, which encode() adds as an id
                String bos = family.template().bos().orElse("");
                if (!bos.isEmpty() && expected.startsWith(bos)) {
                    expected = expected.substring(bos.length());
                }
                assertThat(family.template().render(conversation))
                        .as("%s on %s", family.template().name(), conversation)
                        .isEqualTo(expected);
            }
        }
    }

    @Test
    void familiesAreRecognisedByTheirJinjaTemplates() {
        for (Family family : FAMILIES) {
            if (family.template() == ChatTemplate.PLAIN) {
                assertThat(ChatTemplate.detect(family.jinja())).isEmpty();
            } else {
                assertThat(ChatTemplate.detect(family.jinja())).contains(family.template());
            }
        }
    }

    @Test
    void aModelsOwnTemplateIsRunAndTheHandWrittenFamiliesServeModelsWithout() {
        assertThat(ChatTemplate.forModel(null, "", "")).isSameAs(ChatTemplate.PLAIN);
        assertThat(ChatTemplate.forModel(ChatTemplateSources.of(" "), "", "")).isSameAs(ChatTemplate.PLAIN);
        ChatTemplate own = ChatTemplate.forModel(ChatTemplateSources.of(LLAMA3_JINJA), "<|begin_of_text|>", "<|eot_id|>");
        List<ChatMessage> chat = List.of(ChatMessage.system("Be brief."), ChatMessage.user("Hi"));
        assertThat(own.render(chat)).isEqualTo("<|begin_of_text|>" + ChatTemplate.LLAMA3.render(chat));
        assertThat(own.stops()).containsExactly("<|eot_id|>");
    }

    @Test
    void familiesAreFoundByName() {
        for (Family family : FAMILIES) {
            assertThat(ChatTemplate.named(family.template().name().toUpperCase())).isSameAs(family.template());
        }
        assertThatThrownBy(() -> ChatTemplate.named("alpaca"))
                .isInstanceOf(JgptException.class).hasMessageContaining("'alpaca'").hasMessageContaining("chatml");
        assertThatThrownBy(() -> ChatTemplate.named("al\u001b[2Jpaca\nx"))
                .isInstanceOf(JgptException.class).hasMessageContaining("'al\\x1b[2Jpaca\\nx'");
    }

    @Test
    void theEndOfTurnMarkersAreTheStops() {
        // the text right after an answer in a rendered conversation is where the model's turn ends
        for (Family family : FAMILIES) {
            ChatTemplate t = family.template();
            String rendered = t.render(List.of(ChatMessage.user("Hi"), ChatMessage.assistant("ANSWER"), ChatMessage.user("Again")));
            String after = rendered.substring(rendered.indexOf("ANSWER") + "ANSWER".length());
            assertThat(t.stops()).as(t.name()).anySatisfy(stop -> assertThat(after.trim()).startsWith(stop.trim()));
        }
    }

    @Test
    void theBeginOfTextTokenComesOnceFromTheTemplateOrTheTokenizer() {
        List<ChatMessage> chat = List.of(ChatMessage.system("Be brief."), ChatMessage.user("Hi"));
        StubTokenizer none = new StubTokenizer(null);
        StubTokenizer addsS = new StubTokenizer("<s>");
        StubTokenizer addsBeginOfText = new StubTokenizer("<|begin_of_text|>");
        // the families that write it (ids: <s> 1, <|begin_of_text|> 3), alone or as well as the tokenizer
        assertEncodes(ChatTemplate.LLAMA3, none, chat, 3);
        assertEncodes(ChatTemplate.LLAMA3, addsBeginOfText, chat, 3);
        assertEncodes(ChatTemplate.LLAMA2, none, chat, 1);
        assertEncodes(ChatTemplate.LLAMA2, addsS, chat, 1);
        // the families that leave it to the tokenizer
        assertEncodes(ChatTemplate.ZEPHYR, none, chat);
        assertEncodes(ChatTemplate.ZEPHYR, addsS, chat, 1);
        assertEncodes(ChatTemplate.CHATML, none, chat);
        assertEncodes(ChatTemplate.PLAIN, addsS, chat, 1);
        // a vocabulary without the family's token
        StubTokenizer noSpecials = new StubTokenizer(null) {
            @Override
            public OptionalInt specialId(String text) {
                return OptionalInt.empty();
            }
        };
        assertEncodes(ChatTemplate.LLAMA3, noSpecials, chat);
    }

    @Test
    void llama2OnTheLlama2VocabularyHasOneBosPerExchangeAndTheMarkersAsTokens() {
        Tokenizer spm = TokenizerLoader.fromGguf(SharedData.require("tokenizer/ggml-vocab-llama-spm.gguf"));
        assertThat(spm.addsBos()).isTrue();
        int bos = spm.bosId().orElseThrow();
        int eos = spm.eosId().orElseThrow();
        List<ChatMessage> chat = List.of(ChatMessage.system("Be brief."), ChatMessage.user("Hi"), ChatMessage.assistant("Hello."),
                ChatMessage.user("Who are you?"), ChatMessage.assistant("A model."), ChatMessage.user("Bye"));
        int[] ids = ChatTemplate.LLAMA2.encode(chat, spm);
        assertThat(ids[0]).isEqualTo(bos);
        assertThat(ids[1]).isNotEqualTo(bos);
        // "</s><s>" between exchanges is the two control tokens, not text
        assertThat(Arrays.stream(ids).filter(id -> id == bos).count()).isEqualTo(3);
        assertThat(Arrays.stream(ids).filter(id -> id == eos).count()).isEqualTo(2);
        assertThat(spm.decode(ids)).contains("[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi [/INST] Hello.").doesNotContain("<s>");
    }

    private static void assertEncodes(ChatTemplate template, Tokenizer tokenizer, List<ChatMessage> chat, int... bos) {
        int[] text = tokenizer.encode(template.render(chat));
        assertThat(template.encode(chat, tokenizer)).as(template.name())
                .containsExactly(IntStream.concat(Arrays.stream(bos), Arrays.stream(text)).toArray());
    }

    @Test
    void llama2NeedsUserAndAssistantInTurn() {
        assertThatThrownBy(() -> ChatTemplate.LLAMA2.render(List.of(ChatMessage.user("a"), ChatMessage.user("b"))))
                .isInstanceOf(JgptException.class).hasMessageContaining("message 1 is from the user");
        assertThatThrownBy(() -> ChatTemplate.LLAMA2.render(List.of(ChatMessage.user("a"), ChatMessage.system("b"))))
                .isInstanceOf(JgptException.class).hasMessageContaining("message 1 is from the system");
    }

    private static List<List<ChatMessage>> fixedConversations() {
        return List.of(
                List.of(ChatMessage.user("Hello")),
                List.of(ChatMessage.system("You are a terse assistant."), ChatMessage.user("Hi!"),
                        ChatMessage.assistant("Hello. What do you need?"), ChatMessage.user("What is 2 + 2?")),
                List.of(ChatMessage.user("  padded\n"), ChatMessage.assistant("\n answer \t"), ChatMessage.user("x")),
                List.of(ChatMessage.system("Line one\nLine two\n"), ChatMessage.user("héllo wörld 🙂 日本語"),
                        ChatMessage.assistant("ça va"), ChatMessage.user("\u00a0no-break\u3000spaces\u2028\u0085 ")),
                List.of(ChatMessage.system(""), ChatMessage.user(""), ChatMessage.assistant(""), ChatMessage.user("   ")),
                List.of(ChatMessage.user("quotes ' \" and braces {{ x }} {% if %}"), ChatMessage.assistant("[INST] <|im_end|> </s>"),
                        ChatMessage.user("ok")));
    }

    private static final String[] PIECES = {"word", "Hello", "the", "?", "!", ".", "é", "🙂", "日本", "{{", "}}", "'", "\"",
        "\\", "[INST]", "<<SYS>>", "<|eot_id|>", " ", "  ", "\n", "\n\n", "\t", "\r\n", "\u00a0", "\u3000", "\u2028", "\u0085",
        "\u200b", "\u001f"};

    /** An optional system message, then user and assistant in turn, ending with the user. */
    private static List<ChatMessage> randomConversation(Random random) {
        List<ChatMessage> messages = new ArrayList<>();
        if (random.nextBoolean()) {
            messages.add(ChatMessage.system(randomText(random)));
        }
        int exchanges = random.nextInt(4);
        for (int i = 0; i < exchanges; i++) {
            messages.add(ChatMessage.user(randomText(random)));
            messages.add(ChatMessage.assistant(randomText(random)));
        }
        messages.add(ChatMessage.user(randomText(random)));
        return messages;
    }

    private static String randomText(Random random) {
        StringBuilder text = new StringBuilder();
        int n = random.nextInt(8);
        for (int i = 0; i < n; i++) {
            text.append(PIECES[random.nextInt(PIECES.length)]);
        }
        return text.toString();
    }

    /** Renders the cases with Python's jinja2; skips the test when python3 or jinja2 is missing. */
    private static List<String> jinja(List<Map<String, Object>> cases) throws IOException, InterruptedException, URISyntaxException {
        assumeTrue(run(new ProcessBuilder("python3", "-c", "import jinja2")) == 0,
                "python3 with the jinja2 package is not installed: cannot compare the chat templates with Jinja");
        Path script = Path.of(ChatTemplateTest.class.getResource("render_chat.py").toURI());
        Process python = new ProcessBuilder("python3", script.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (OutputStream in = python.getOutputStream()) {
            in.write(JSON.writeValueAsBytes(cases));
        }
        String out = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(python.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(python.exitValue()).as("render_chat.py failed (its errors are above)").isZero();
        return JSON.readValue(out, new TypeReference<List<String>>() {});
    }

    private static int run(ProcessBuilder command) throws InterruptedException {
        try {
            Process p = command.redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor();
        } catch (IOException e) {
            return -1; // no python3
        }
    }

    /**
     * Knows the special tokens {@code <s>} (1), {@code </s>} (2) and {@code <|begin_of_text|>} (3)
     * wherever they appear; any other character c is id 100 + c. Asks for {@code bos} (if not
     * null) at the start of a sequence, as a tokenizer whose model wants one does.
     */
    private static class StubTokenizer implements Tokenizer {
        private static final List<String> SPECIALS = List.of("<s>", "</s>", "<|begin_of_text|>");
        private final String bos;

        StubTokenizer(String bos) {
            this.bos = bos;
        }

        @Override
        public int[] encode(String text) {
            List<Integer> ids = new ArrayList<>();
            int i = 0;
            outer:
            while (i < text.length()) {
                for (int s = 0; s < SPECIALS.size(); s++) {
                    if (specialId(SPECIALS.get(s)).isPresent() && text.startsWith(SPECIALS.get(s), i)) {
                        ids.add(s + 1);
                        i += SPECIALS.get(s).length();
                        continue outer;
                    }
                }
                ids.add(100 + text.charAt(i++));
            }
            return ids.stream().mapToInt(Integer::intValue).toArray();
        }

        @Override
        public boolean addsBos() {
            return bos != null;
        }

        @Override
        public OptionalInt bosId() {
            return bos == null ? OptionalInt.empty() : specialId(bos);
        }

        @Override
        public int[] encodeOrdinary(String text) {
            return text.chars().map(c -> 100 + c).toArray();
        }

        @Override
        public String decode(int[] ids, int from, int to) {
            throw new UnsupportedOperationException();
        }

        @Override
        public byte[] tokenBytes(int id) {
            throw new UnsupportedOperationException();
        }

        @Override
        public String piece(int id) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int vocabSize() {
            return 100 + Character.MAX_VALUE + 1;
        }

        @Override
        public OptionalInt eosId() {
            return OptionalInt.of(2);
        }

        @Override
        public OptionalInt specialId(String text) {
            int i = SPECIALS.indexOf(text);
            return i < 0 ? OptionalInt.empty() : OptionalInt.of(i + 1);
        }

        @Override
        public boolean isSpecial(int id) {
            return id >= 1 && id <= SPECIALS.size();
        }
    }
}
