package dev.jgpt.generate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jgpt.TinyModels;
import dev.jgpt.convert.GgufModelWriter;
import dev.jgpt.convert.RandomModel;
import dev.jgpt.format.GgufValue;
import dev.jgpt.model.ModelConfig;
import dev.jgpt.sampling.SamplerSettings;
import dev.jgpt.tensor.DType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an application calls on a model: chat through its template, streaming and cancelling, conversations, scores, settings by builders. */
class ApplicationApiTest {
    /** ChatML, as Qwen's models carry it. */
    private static final String CHATML = "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}"
            + "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}";

    @TempDir
    static Path dir;
    private static LanguageModel model;

    @BeforeAll
    static void open() {
        ModelConfig llama = TinyModels.LLAMA; // with room for ChatML's markers, which the tiny tokenizer spells letter by letter
        GgufModelWriter.Contents contents = RandomModel.gguf(new ModelConfig(llama.architecture(), llama.layers(), llama.heads(),
                llama.kvHeads(), llama.embd(), llama.mlpHidden(), 256, llama.vocabSize(), llama.normEps(), llama.tiedOutput()), DType.F32, 1);
        contents.metadata().putAll(GgufModelWriter.vocabulary(TinyModels.TOKENIZER, TinyModels.VOCAB));
        contents.metadata().put("tokenizer.chat_template", GgufValue.string(CHATML));
        Path file = dir.resolve("chat.gguf");
        contents.write(file);
        model = LanguageModel.open(file);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static GenerationSettings greedy(int maxTokens) {
        return GenerationSettings.builder().maxTokens(maxTokens).sampler(SamplerSettings.greedy()).stop("the log").build();
    }

    @Test
    void chatContinuesTheMessagesAsTheModelsTemplateWritesThemAndStopsWhereItsTurnsEnd() {
        List<ChatMessage> messages = List.of(ChatMessage.system("be brief"), ChatMessage.user("the cat sat on"));
        Generation answer = model.chat(messages, greedy(24), TokenListener.NONE);

        ChatTemplate template = model.template();
        assertThat(template.render(messages)).isEqualTo("<|im_start|>system\nbe brief<|im_end|>\n"
                + "<|im_start|>user\nthe cat sat on<|im_end|>\n<|im_start|>assistant\n");
        List<String> stops = new ArrayList<>(List.of("the log"));
        stops.addAll(template.stops());
        assertThat(stops).contains("<|im_end|>");
        Generation reference = model.generate(template.encode(messages, model.tokenizer()),
                new GenerationSettings(24, SamplerSettings.greedy(), stops, ContextOverflow.STOP), TokenListener.NONE);
        assertThat(answer.promptTokens()).isEqualTo(reference.promptTokens());
        assertThat(answer.tokens()).isEqualTo(reference.tokens());
        assertThat(answer.text()).isEqualTo(reference.text());
        assertThat(answer.finishReason()).isEqualTo(reference.finishReason());
    }

    @Test
    void aCancelFlagStopsAfterTheTokenBeingSampledAndReturnsWhatWasWritten() {
        Generation whole = model.generate("the dog", greedy(20), TokenListener.NONE);
        assertThat(whole.tokens()).hasSizeGreaterThan(4);

        StringBuilder streamed = new StringBuilder();
        AtomicInteger asked = new AtomicInteger();
        Generation cut = model.generate("the dog", greedy(20), TokenListener.of(streamed::append, () -> asked.incrementAndGet() > 3));

        assertThat(cut.finishReason()).isEqualTo(FinishReason.CANCELLED);
        assertThat(cut.tokens()).containsExactly(Arrays.copyOf(whole.tokens(), 4));
        assertThat(cut.text()).isEqualTo(streamed.toString());
        assertThat(whole.text()).startsWith(cut.text());
    }

    @Test
    void aNewChatTakesTheModelsTemplateAndContextSizeAndKeepsItsOwnCache() {
        model.setContextSize(120);
        try {
            ChatSession chat = model.newChat();
            assertThat(chat.template().render(List.of(ChatMessage.user("hi")))).isEqualTo(model.template().render(List.of(ChatMessage.user("hi"))));
            assertThat(chat.contextWindow()).isEqualTo(120);
            ChatSession.Reply first = chat.send("the cat", greedy(4), TokenListener.NONE);
            Generation between = model.generate("a model reads", greedy(4), TokenListener.NONE);
            ChatSession.Reply second = chat.send("the mat", greedy(4), TokenListener.NONE);
            assertThat(between.tokens()).isNotEmpty();
            assertThat(first.generation().tokens()).isNotEmpty();
            assertThat(second.reusedTokens()).as("the model's own generation did not touch the conversation's cache").isPositive();
        } finally {
            model.setContextSize(model.config().contextLength());
        }
    }

    @Test
    void scoreIsTheScorersScoreOfTheTextTokenizedAsAPrompt() {
        String text = "the cat sat on the mat";
        Scorer.Score score = model.score(text);
        Scorer.Score reference = Scorer.score(model.transformer(), model.tokenizer().encodeSequence(text));
        assertThat(score.logprobs()).isEqualTo(reference.logprobs());
        assertThat(score.perplexity()).isEqualTo(reference.perplexity()).isGreaterThan(1);
    }

    @Test
    void generationSettingsByBuilderStartFromTheirNamedDefaults() {
        GenerationSettings defaults = GenerationSettings.builder().build();
        assertThat(defaults.maxTokens()).isEqualTo(GenerationSettings.DEFAULT_MAX_TOKENS);
        assertThat(defaults.stopStrings()).isEmpty();
        assertThat(defaults.overflow()).isEqualTo(ContextOverflow.STOP);
        assertThat(defaults.grammar()).isNull();
        assertThat(defaults.sampler().temperature()).isEqualTo(SamplerSettings.DEFAULT_TEMPERATURE);
        GenerationSettings set = GenerationSettings.builder().maxTokens(9).stop("a", "b").stop("c").overflow(ContextOverflow.SLIDE)
                .sampler(SamplerSettings.greedy()).build();
        assertThat(set).isEqualTo(new GenerationSettings(9, SamplerSettings.greedy(), List.of("a", "b", "c"), ContextOverflow.SLIDE));
    }
}
