package dev.jgpt.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jgpt.JgptException;
import dev.jgpt.SharedData;
import dev.jgpt.model.Transformer;
import dev.jgpt.model.load.ModelFiles;
import dev.jgpt.sampling.SamplerSettings;
import dev.jgpt.tokenizer.CharTokenizer;
import dev.jgpt.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Conversations on the PyTorch fixture model with clear greedy choices (vocabulary 64, context
 * 32), one character per token, in a compact template so that a few exchanges fit the window.
 */
class ChatSessionTest {
    private static final Tokenizer TOKENIZER = CharTokenizer.of("\n #<>ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456"
            .codePoints().toArray());
    /** {@code #system\n<user\n>answer\n<user\n>}: a newline ends the assistant's turn. */
    private static final ChatTemplate COMPACT = new TurnTemplate("compact", Optional.empty(), role -> switch (role) {
        case SYSTEM -> "#";
        case USER -> "<";
        case ASSISTANT -> ">";
        case TOOL -> "!";
    }, "\n", true, List.of("\n"), List.of());
    private static final int CONTEXT = 32;
    private static final GenerationSettings GREEDY_4 = GenerationSettings.of(4, SamplerSettings.greedy());

    private ModelFiles model;
    private ChatSession session;

    @BeforeEach
    void open() {
        model = ModelFiles.open(SharedData.require("fixtures/tiny_sharp"));
        assertThat(model.config().contextLength()).isEqualTo(CONTEXT);
        session = new ChatSession(model.transformer(), TOKENIZER, COMPACT);
    }

    @AfterEach
    void close() {
        if (model != null) { // null when the fixtures are absent and the test was skipped
            model.close();
        }
    }

    @Test
    void theNextTurnReusesTheLastOneAndAnswersAsAFreshGenerationWould() {
        session.setSystem("Be brief");
        ChatSession.Reply first = session.send("Hi", GREEDY_4, TokenListener.NONE);
        assertThat(first.reusedTokens()).isZero();
        assertThat(first.generation().promptTokens()).containsExactly(TOKENIZER.encode("#Be brief\n<Hi\n>"));
        assertThat(session.messages()).containsExactly(ChatMessage.system("Be brief"), ChatMessage.user("Hi"),
                ChatMessage.assistant(first.text()));

        ChatSession.Reply second = session.send("Yo", GREEDY_4, TokenListener.NONE);
        int[] prompt = TOKENIZER.encode("#Be brief\n<Hi\n>" + first.text() + "\n<Yo\n>");
        assertThat(second.generation().promptTokens()).containsExactly(prompt);
        // the first prompt, short of the last positions that must run with the new ones as one long enough pass
        assertThat(second.reusedTokens()).isPositive()
                .isEqualTo(Math.min(first.generation().promptTokens().length, prompt.length - Transformer.ROW_INVARIANT_PASS));
        assertThat(second.reusedTokens() + second.generation().timings().promptTokens()).isEqualTo(prompt.length);
        Generation fresh = new Generator(model.transformer(), TOKENIZER)
                .generate(prompt, new GenerationSettings(4, SamplerSettings.greedy(), List.of("\n"), ContextOverflow.STOP), TokenListener.NONE);
        assertThat(second.generation().tokens()).containsExactly(fresh.tokens());
        assertThat(second.text()).isEqualTo(fresh.text().strip());
    }

    @Test
    void oldExchangesAreDroppedToFitButNeverTheSystemPrompt() {
        session.setSystem("S");
        int drops = 0;
        for (String message : List.of("Abc", "Defg", "Hij", "Klmno", "Pq", "Rstu")) {
            List<ChatMessage> before = session.messages();
            ChatSession.Reply reply = session.send(message, GREEDY_4, TokenListener.NONE);
            assertThat(reply.generation().promptTokens().length + 4).isLessThanOrEqualTo(CONTEXT);
            assertThat(session.messages().getFirst()).isEqualTo(ChatMessage.system("S"));
            // the oldest messages after the system prompt went, a user message with its answer each time
            assertThat(reply.dropped()).containsExactlyElementsOf(before.subList(1, 1 + reply.dropped().size()));
            assertThat(reply.dropped().size() % 2).isZero();
            if (!reply.dropped().isEmpty()) {
                drops++;
                assertThat(reply.dropped().getFirst().role()).isEqualTo(ChatMessage.Role.USER);
                // and no more than needed: one more exchange would not have fitted
                List<ChatMessage> withOneMore = new ArrayList<>(session.messages().subList(0, session.messages().size() - 1));
                withOneMore.addAll(1, reply.dropped().subList(reply.dropped().size() - 2, reply.dropped().size()));
                assertThat(COMPACT.encode(withOneMore, TOKENIZER).length + 4).isGreaterThan(CONTEXT);
            }
        }
        assertThat(drops).isPositive();
    }

    @Test
    void aMessageThatCannotFitIsAClearErrorAndChangesNothing() {
        session.setSystem("Be brief");
        session.send("Hi", GREEDY_4, TokenListener.NONE);
        List<ChatMessage> before = session.messages();
        // "#Be brief\n" + "<" + message + "\n>" + 4 answer tokens: 13 + 15 + 4 = 32 fits, one character more does not
        session.send("ABCDEFGHIJKLMNO", GREEDY_4, TokenListener.NONE);
        session.reset();
        assertThatThrownBy(() -> session.send("ABCDEFGHIJKLMNOP", GREEDY_4, TokenListener.NONE))
                .isInstanceOf(JgptException.class)
                .hasMessageContaining("with the system prompt it makes a prompt of 29 tokens")
                .hasMessageContaining("room for an answer of 4 tokens")
                .hasMessageContaining("context window of 32 tokens");
        assertThat(session.messages()).containsExactly(ChatMessage.system("Be brief"));
        assertThat(before).hasSize(3);
    }

    @Test
    void aCancelledAnswerIsKeptAndTheConversationGoesOn() {
        AtomicInteger heard = new AtomicInteger();
        ChatSession.Reply reply = session.send("Hi", GenerationSettings.of(12, SamplerSettings.greedy()), new TokenListener() {
            @Override
            public void onToken(int id, String text) {
                heard.incrementAndGet();
            }

            @Override
            public boolean cancelled() {
                return heard.get() >= 1;
            }
        });
        // asked before each token is handed over: the second token is the last
        assertThat(reply.generation().finishReason()).isEqualTo(FinishReason.CANCELLED);
        assertThat(reply.generation().tokens()).hasSize(2);
        assertThat(reply.text()).hasSize(2);
        assertThat(session.messages().getLast()).isEqualTo(ChatMessage.assistant(reply.text()));
        assertThat(session.send("Ok", GREEDY_4, TokenListener.NONE).generation().promptTokens())
                .containsExactly(TOKENIZER.encode("<Hi\n>" + reply.text() + "\n<Ok\n>"));
    }

    @Test
    void resetKeepsTheSystemPromptAndABlankOneRemovesIt() {
        session.setSystem("Be");
        session.send("Hi", GREEDY_4, TokenListener.NONE);
        session.reset();
        assertThat(session.messages()).containsExactly(ChatMessage.system("Be"));
        session.setSystem("  ");
        assertThat(session.messages()).isEmpty();
        assertThat(session.system()).isEmpty();
    }
}
