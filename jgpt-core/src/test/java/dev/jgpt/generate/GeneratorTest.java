package dev.jgpt.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jgpt.JgptException;
import dev.jgpt.SharedData;
import dev.jgpt.model.Transformer;
import dev.jgpt.model.load.ModelFiles;
import dev.jgpt.sampling.Sampler;
import dev.jgpt.sampling.SamplerSettings;
import dev.jgpt.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The generation loop on the PyTorch fixture models (vocabulary 64, context 32), with a tokenizer
 * that spells id i as the character '!' + i and makes id 63 the end-of-text token.
 */
class GeneratorTest {
    private static final int EOS = 63;
    private static final Tokenizer TOKENIZER = tokenizer(OptionalInt.of(EOS));

    private ModelFiles model;
    private Generator generator;

    @BeforeEach
    void open() {
        model = ModelFiles.open(SharedData.require("fixtures/tiny_sharp"));
        generator = new Generator(model.transformer(), TOKENIZER);
    }

    @AfterEach
    void close() {
        if (model != null) { // null when the fixtures are absent and the test was skipped
            model.close();
        }
    }

    @Test
    void greedyEqualsPyTorchAndStreamsEveryToken() throws IOException {
        JsonNode expected = new ObjectMapper().readTree(SharedData.require("fixtures/tiny_sharp/generate.json").toFile());
        int[] prompt = ints(expected.get("prompt"));
        int[] want = ints(expected.get("generated"));
        List<Integer> heard = new ArrayList<>();
        StringBuilder streamed = new StringBuilder();
        Generation g = generator.generate(prompt, GenerationSettings.of(want.length, SamplerSettings.greedy()), (id, text) -> {
            heard.add(id);
            streamed.append(text);
        });
        assertThat(g.tokens()).containsExactly(want);
        assertThat(heard).containsExactly(Arrays.stream(want).boxed().toArray(Integer[]::new));
        assertThat(g.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(g.text()).isEqualTo(spell(want)).isEqualTo(streamed.toString());
        assertThat(g.promptTokens()).containsExactly(prompt);
        assertThat(g.timings().generatedTokens()).isEqualTo(want.length);
    }

    @Test
    void endOfTextStopsWithoutShowingIt() throws IOException {
        try (ModelFiles tiny = ModelFiles.open(SharedData.require("fixtures/tiny"))) {
            // the fixture's greedy continuation of [1, 5, 9] is id 63, our end-of-text
            Generation g = new Generator(tiny.transformer(), TOKENIZER).generate(new int[] {1, 5, 9},
                    GenerationSettings.of(16, SamplerSettings.greedy()), TokenListener.NONE);
            assertThat(g.tokens()).containsExactly(EOS);
            assertThat(g.finishReason()).isEqualTo(FinishReason.STOP);
            assertThat(g.text()).isEmpty();
        }
    }

    @Test
    void aStopStringEndsTheTextBeforeItAndIsNeverStreamed() {
        int[] prompt = {1, 5, 9};
        Generation full = generator.generate(prompt, GenerationSettings.of(24, SamplerSettings.greedy()), TokenListener.NONE);
        String stop = full.text().substring(5, 8);
        int cut = full.text().indexOf(stop);
        StringBuilder streamed = new StringBuilder();
        Generation g = generator.generate(prompt, new GenerationSettings(24, SamplerSettings.greedy(), List.of("\u0000never", stop),
                ContextOverflow.STOP), (id, text) -> streamed.append(text));
        assertThat(g.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(g.text()).isEqualTo(full.text().substring(0, cut));
        assertThat(streamed.toString()).isEqualTo(g.text());
        assertThat(g.tokens()).hasSize(cut + stop.length());
    }

    @Test
    void aStopStringNamingAControlTokenStopsAtThatTokenThoughItPrintsNothing() {
        int[] prompt = {1, 5, 9};
        Tokenizer plain = tokenizer(OptionalInt.empty());
        int[] full = new Generator(model.transformer(), plain).generate(prompt, GenerationSettings.of(24, SamplerSettings.greedy()),
                TokenListener.NONE).tokens();
        int control = full[6]; // made a control token that decodes to nothing, as GGUF's <|eot_id|> does
        Tokenizer withControl = new Tokenizer() {
            @Override
            public int[] encode(String text) {
                return plain.encode(text);
            }

            @Override
            public int[] encodeOrdinary(String text) {
                return plain.encodeOrdinary(text);
            }

            @Override
            public String decode(int[] ids, int from, int to) {
                return plain.decode(ids, from, to);
            }

            @Override
            public byte[] tokenBytes(int id) {
                return id == control ? new byte[0] : plain.tokenBytes(id);
            }

            @Override
            public String piece(int id) {
                return plain.piece(id);
            }

            @Override
            public int vocabSize() {
                return plain.vocabSize();
            }

            @Override
            public OptionalInt eosId() {
                return OptionalInt.empty();
            }

            @Override
            public OptionalInt specialId(String text) {
                return text.equals("<|eot|>") ? OptionalInt.of(control) : OptionalInt.empty();
            }

            @Override
            public boolean isSpecial(int id) {
                return id == control;
            }
        };
        StringBuilder streamed = new StringBuilder();
        Generation g = new Generator(model.transformer(), withControl).generate(prompt,
                new GenerationSettings(24, SamplerSettings.greedy(), List.of("<|eot|>"), ContextOverflow.STOP),
                (id, text) -> streamed.append(text));
        int at = Arrays.stream(full).boxed().toList().indexOf(control);
        assertThat(g.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(g.tokens()).containsExactly(Arrays.copyOf(full, at + 1));
        assertThat(g.text()).isEqualTo(streamed.toString()).isEqualTo(spell(Arrays.copyOf(full, at)));
    }

    @Test
    void aFullContextStopsByDefaultAfterFillingTheWindow() {
        Generation g = generator.generate(new int[] {1, 5, 9}, GenerationSettings.of(100, SamplerSettings.greedy()), TokenListener.NONE);
        // 32 positions: 3 prompt tokens, 29 generated ones run through the model, one more sampled from the last logits
        assertThat(g.tokens()).hasSize(30);
        assertThat(g.finishReason()).isEqualTo(FinishReason.CONTEXT_FULL);
    }

    @Test
    void slidingKeepsTheNewestHalfOfTheWindowAndGoesOn() {
        int[] prompt = {1, 5, 9};
        // without an end-of-text token, so that nothing but the length ends the run
        Generator generator = new Generator(model.transformer(), tokenizer(OptionalInt.empty()));
        Generation g = generator.generate(prompt, new GenerationSettings(40, SamplerSettings.greedy(), List.of(), ContextOverflow.SLIDE),
                TokenListener.NONE);
        assertThat(g.tokens()).hasSize(40);
        assertThat(g.finishReason()).isEqualTo(FinishReason.LENGTH);
        // the token after the slide is the greedy choice given only the newest 16 tokens
        int[] all = concat(prompt, g.tokens());
        int slideAt = 33; // the sequence length when the window of 32 was first full
        Transformer t = model.transformer();
        float[] logits = t.forward(all, slideAt - 16, slideAt, t.newCache());
        assertThat(all[slideAt]).isEqualTo(Sampler.argmax(logits, logits.length));
        assertThat(Arrays.copyOf(g.tokens(), 30))
                .containsExactly(generator.generate(prompt, GenerationSettings.of(30, SamplerSettings.greedy()), TokenListener.NONE).tokens());
    }

    @Test
    void anyMaxTokensStopsAtTheFullContext() {
        int[] prompt = {1, 5, 9};
        // prompt length + Integer.MAX_VALUE overflows an int
        Generation g = generator.generate(prompt, GenerationSettings.of(Integer.MAX_VALUE, SamplerSettings.greedy()), TokenListener.NONE);
        assertThat(g.finishReason()).isEqualTo(FinishReason.CONTEXT_FULL);
        assertThat(g.tokens()).containsExactly(
                generator.generate(prompt, GenerationSettings.of(100, SamplerSettings.greedy()), TokenListener.NONE).tokens());
    }

    @Test
    void theSequenceHoldsTheTokensWrittenNotTheMaximumAskedFor() {
        Continuation c = new Continuation(TOKENIZER, 64, new int[] {1, 5, 9}, GenerationSettings.of(1_000_000_000, SamplerSettings.greedy()));
        assertThat(c.sequence().length).isLessThan(1000);
        // a sliding run may write far more than the window: its sequence grows as it goes
        Generator generator = new Generator(model.transformer(), tokenizer(OptionalInt.empty()));
        int[] prompt = {1, 5, 9};
        Generation reference = generator.generate(prompt, new GenerationSettings(700, SamplerSettings.greedy(), List.of(),
                ContextOverflow.SLIDE), TokenListener.NONE);
        List<Integer> heard = new ArrayList<>();
        Generation g = generator.generate(prompt, new GenerationSettings(1_000_000_000, SamplerSettings.greedy(), List.of(),
                ContextOverflow.SLIDE), new TokenListener() {
                    @Override
                    public void onToken(int id, String text) {
                        heard.add(id);
                    }

                    @Override
                    public boolean cancelled() {
                        return heard.size() >= 600;
                    }
                });
        assertThat(g.finishReason()).isEqualTo(FinishReason.CANCELLED);
        assertThat(g.tokens()).hasSizeGreaterThan(600).containsExactly(Arrays.copyOf(reference.tokens(), g.tokens().length));
    }

    @Test
    void reusingTheCacheRunsOnlyTheNewPartOfThePromptAndGivesTheSameTokens() {
        GenerationSettings settings = GenerationSettings.of(2, SamplerSettings.greedy());
        int[] prompt = {1, 5, 9, 2, 7, 4, 11, 3, 8, 6, 10, 12};
        Generation first = generator.generateReusingCache(prompt, settings, TokenListener.NONE);
        assertThat(first.timings().promptTokens()).isEqualTo(prompt.length);
        int[] next = concat(concat(prompt, first.tokens()), new int[] {7, 3, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31});
        Generation second = generator.generateReusingCache(next, settings, TokenListener.NONE);
        // the cache held the prompt; the new tokens, decoded one at a time, run again as part of this one
        assertThat(second.timings().promptTokens()).isEqualTo(next.length - prompt.length);
        Generator fresh = new Generator(model.transformer(), TOKENIZER);
        assertThat(second.tokens()).containsExactly(fresh.generate(next, settings, TokenListener.NONE).tokens());
        // a prompt that leaves the cached one earlier keeps only the shared start
        int[] other = concat(Arrays.copyOf(next, 2), new int[] {2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2});
        Generation third = generator.generateReusingCache(other, settings, TokenListener.NONE);
        assertThat(third.timings().promptTokens()).isEqualTo(other.length - 2);
        assertThat(third.tokens()).containsExactly(fresh.generate(other, settings, TokenListener.NONE).tokens());
        // the same prompt again still runs a pass as long as a prompt's shortest that rounds as a longer one's
        assertThat(generator.generateReusingCache(other, settings, TokenListener.NONE).timings().promptTokens())
                .isEqualTo(Transformer.ROW_INVARIANT_PASS);
    }

    @Test
    void afterASlideNothingIsReused() {
        Generator generator = new Generator(model.transformer(), tokenizer(OptionalInt.empty()));
        int[] prompt = {1, 5, 9, 2, 7, 4, 11, 3, 8, 6, 10, 12, 13, 14, 15, 16};
        generator.generate(prompt, new GenerationSettings(40, SamplerSettings.greedy(), List.of(), ContextOverflow.SLIDE),
                TokenListener.NONE);
        Generation again = generator.generateReusingCache(prompt, GenerationSettings.of(3, SamplerSettings.greedy()), TokenListener.NONE);
        assertThat(again.timings().promptTokens()).isEqualTo(prompt.length);
    }

    @Test
    void aCancellingListenerEndsGenerationAfterTheTokenItWasAskedAbout() {
        Generator generator = new Generator(model.transformer(), tokenizer(OptionalInt.empty()));
        int[] prompt = {1, 5, 9};
        Generation full = generator.generate(prompt, GenerationSettings.of(20, SamplerSettings.greedy()), TokenListener.NONE);
        StringBuilder streamed = new StringBuilder();
        List<Integer> heard = new ArrayList<>();
        Generation g = generator.generate(prompt, GenerationSettings.of(20, SamplerSettings.greedy()), new TokenListener() {
            @Override
            public void onToken(int id, String text) {
                heard.add(id);
                streamed.append(text);
            }

            @Override
            public boolean cancelled() {
                return heard.size() >= 4;
            }
        });
        assertThat(g.finishReason()).isEqualTo(FinishReason.CANCELLED);
        assertThat(g.tokens()).containsExactly(Arrays.copyOf(full.tokens(), 5));
        assertThat(g.text()).isEqualTo(streamed.toString()).isEqualTo(spell(g.tokens()));
    }

    @Test
    void theSameSeedGivesTheSameText() {
        GenerationSettings settings = GenerationSettings.of(20, new SamplerSettings(1.2f, 0, 1f, 0f, 1f, 5L));
        int[] a = generator.generate(new int[] {2, 3}, settings, TokenListener.NONE).tokens();
        assertThat(generator.generate(new int[] {2, 3}, settings, TokenListener.NONE).tokens()).containsExactly(a);
    }

    @Test
    void promptsThatCannotRunAreClearErrors() {
        GenerationSettings settings = GenerationSettings.of(5, SamplerSettings.greedy());
        assertThatThrownBy(() -> generator.generate(new int[0], settings, TokenListener.NONE))
                .isInstanceOf(JgptException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> generator.generate(new int[40], settings, TokenListener.NONE))
                .isInstanceOf(JgptException.class).hasMessageContaining("40 tokens").hasMessageContaining("context window of 32");
        assertThatThrownBy(() -> generator.generate(new int[] {64}, settings, TokenListener.NONE))
                .hasMessageContaining("token id 64 is outside the vocabulary");
    }

    @Test
    void scoresMatchPyTorchLogSoftmax() throws IOException {
        Path dir = SharedData.require("fixtures/tiny_sharp");
        JsonNode expected = new ObjectMapper().readTree(dir.resolve("logits.json").toFile());
        int[] tokens = ints(expected.get("tokens"));
        Scorer.Score score = Scorer.score(model.transformer(), tokens);
        double loss = 0;
        for (int i = 0; i + 1 < tokens.length; i++) {
            double want = expected.get("log_softmax").get(i).get(tokens[i + 1]).asDouble();
            assertThat(score.logprobs()[i]).isCloseTo(want, offset(1e-5));
            assertThat(score.topTokens()[i]).isEqualTo(expected.get("greedy").get(i).asInt());
            loss -= want;
        }
        assertThat(score.loss()).isCloseTo(loss / (tokens.length - 1), offset(1e-5));
    }

    /** Spells id i as the character '!' + i; {@code eos}, if any, is the end-of-text token. */
    static Tokenizer tokenizer(OptionalInt eos) {
        return new Tokenizer() {
            @Override
            public int[] encode(String text) {
                return text.chars().map(c -> c - '!').toArray();
            }

            @Override
            public int[] encodeOrdinary(String text) {
                return encode(text);
            }

            @Override
            public String decode(int[] ids, int from, int to) {
                return spell(Arrays.copyOfRange(ids, from, to));
            }

            @Override
            public byte[] tokenBytes(int id) {
                return eos.equals(OptionalInt.of(id)) ? "<|endoftext|>".getBytes(StandardCharsets.UTF_8) : new byte[] {(byte) ('!' + id)};
            }

            @Override
            public String piece(int id) {
                return new String(tokenBytes(id), StandardCharsets.UTF_8);
            }

            @Override
            public int vocabSize() {
                return EOS + 1;
            }

            @Override
            public OptionalInt eosId() {
                return eos;
            }

            @Override
            public OptionalInt specialId(String text) {
                return text.equals("<|endoftext|>") ? eos : OptionalInt.empty();
            }

            @Override
            public boolean isSpecial(int id) {
                return eos.equals(OptionalInt.of(id));
            }
        };
    }

    private static String spell(int[] ids) {
        StringBuilder s = new StringBuilder();
        for (int id : ids) {
            s.append((char) ('!' + id));
        }
        return s.toString();
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }
}
