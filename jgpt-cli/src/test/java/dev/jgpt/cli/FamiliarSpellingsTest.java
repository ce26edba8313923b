package dev.jgpt.cli;

import static dev.jgpt.cli.CliTest.jgpt;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jgpt.cli.CliTest.Run;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spellings people bring from llama.cpp and Ollama: each does what the jgpt spelling does. */
class FamiliarSpellingsTest {
    private static final String PROMPT = "Hello, my name is";

    @TempDir
    static Path dir;

    static Path model;

    @BeforeAll
    static void makeModel() {
        model = dir.resolve("tiny");
        Run run = jgpt("make-model", "--preset", "tiny", "--out", model.toString(), "--seed", "5");
        assertThat(run.exit()).as(run.err()).isZero();
    }

    /** generate --json on the tiny model, at most 6 new tokens, with {@code args} after the common ones. */
    private static JsonNode generate(String... args) throws IOException {
        return generateUpTo(6, args);
    }

    private static JsonNode generateUpTo(int maxTokens, String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of("generate", "--model", model.toString(), "--json", "-n", Integer.toString(maxTokens)));
        all.addAll(List.of(args));
        Run run = jgpt(all.toArray(String[]::new));
        assertThat(run.exit()).as(run.err()).isZero();
        return run.json();
    }

    /** Runs {@code args} with {@code input} as stdin. */
    private static Run withStdin(String input, String... args) {
        InputStream stdin = System.in;
        System.setIn(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));
        try {
            return jgpt(args);
        } finally {
            System.setIn(stdin);
        }
    }

    private static void assertOneLineError(Run run, String... mentions) {
        assertThat(run.exit()).isNotZero();
        assertThat(run.err()).contains(mentions).doesNotContain("Exception", "\tat ");
        assertThat(run.err().strip().lines()).hasSizeLessThanOrEqualTo(2); // the error, and where the help is
    }

    @Test
    void thePromptAsAnOptionAFileOrStdinIsThePromptAsAnArgument() throws IOException {
        JsonNode expected = generate("--temperature", "0", PROMPT);
        assertThat(generate("--temp", "0", "-p", PROMPT).get("tokens")).isEqualTo(expected.get("tokens"));
        assertThat(generate("--temp", "0", "--prompt", PROMPT).get("tokens")).isEqualTo(expected.get("tokens"));
        Path file = Files.writeString(dir.resolve("prompt.txt"), PROMPT);
        assertThat(generate("--temp", "0", "-f", file.toString()).get("tokens")).isEqualTo(expected.get("tokens"));
        assertThat(generate("--temp", "0", "--file", file.toString()).get("tokens")).isEqualTo(expected.get("tokens"));
        for (String[] stdin : new String[][] {{"-"}, {"-f", "-"}, {"-p", "-"}}) {
            List<String> args = new ArrayList<>(List.of("generate", "--model", model.toString(), "--json", "-n", "6", "--temp", "0"));
            args.addAll(List.of(stdin));
            Run run = withStdin(PROMPT, args.toArray(String[]::new));
            assertThat(run.exit()).as(run.err()).isZero();
            assertThat(run.json().get("tokens")).as(String.join(" ", stdin)).isEqualTo(expected.get("tokens"));
        }
    }

    @Test
    void aPromptGivenTwiceOrNotAtAllIsAnError() {
        String m = model.toString();
        assertOneLineError(jgpt("generate", "--model", m, "-p", PROMPT, PROMPT), "more than one prompt", "-p/--prompt");
        assertOneLineError(jgpt("generate", "--model", m, "-p", PROMPT, "-f", "x.txt"), "more than one prompt");
        assertOneLineError(jgpt("generate", "--model", m), "no prompt");
    }

    @Test
    void theShortSeedIsTheSeed() throws IOException {
        JsonNode seeded = generate("--temperature", "1", "--seed", "3", PROMPT);
        assertThat(generate("--temperature", "1", "-s", "3", PROMPT).get("tokens")).isEqualTo(seeded.get("tokens"));
        assertThat(seeded.get("seed").asLong()).isEqualTo(3);
    }

    @Test
    void theContextSizeBoundsPromptAndAnswerAndCannotExceedTheModel() throws IOException {
        int promptTokens = generate("--temp", "0", PROMPT).get("prompt_tokens").size();
        int size = promptTokens + 3;
        for (String option : new String[] {"-c", "--ctx-size"}) {
            JsonNode cut = generateUpTo(50, "--temp", "0", option, Integer.toString(size), PROMPT);
            assertThat(cut.get("finish_reason").asText()).isEqualTo("context_full");
            // the last token is sampled, never run through the cache
            assertThat(cut.get("tokens")).hasSize(size - promptTokens + 1);
        }
        Run text = jgpt("generate", "--model", model.toString(), "-n", "50", "--temp", "0", "-c", Integer.toString(size), PROMPT);
        assertThat(text.err()).contains("the context window (" + size + " tokens) is full");
        assertOneLineError(jgpt("generate", "--model", model.toString(), "-c", "1000", PROMPT), "1000", "context length is 256");
    }

    @Test
    void runIsChatWithTheModelAsAnArgument() {
        String[] sampling = {"-n", "6", "--temp", "0", "--quiet"};
        Run chat = withStdin("Hi there\n", concat(new String[] {"chat", "--model", model.toString()}, sampling));
        assertThat(chat.exit()).as(chat.err()).isZero();
        assertThat(chat.out()).isNotBlank();
        Run run = withStdin("Hi there\n", concat(new String[] {"run", model.toString()}, sampling));
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo(chat.out());
        assertOneLineError(withStdin("", "run", model.toString(), "--model", model.toString()), "given twice");
    }

    @Test
    void aMistypedCommandOrOptionSuggestsTheNearestInOneLine() {
        Run command = jgpt("generat", "Hi");
        assertThat(command.exit()).isEqualTo(2);
        assertThat(command.err().strip()).isEqualTo("jgpt: unknown command 'generat'; did you mean 'generate'? (see 'jgpt --help')");
        Run option = jgpt("generate", "--model", model.toString(), "--temprature", "0", "Hi");
        assertThat(option.exit()).isEqualTo(2);
        assertThat(option.err().strip())
                .isEqualTo("jgpt: unknown option '--temprature'; did you mean '--temperature'? (see 'jgpt generate --help')");
        Run extra = jgpt("info", model.toString(), "extra");
        assertThat(extra.err().strip()).isEqualTo("jgpt: unexpected argument 'extra'; see 'jgpt info --help'");
    }

    @Test
    void scoreSummarisesAndListsTokensOnRequest() throws IOException {
        String[] score = {"score", "--model", model.toString(), "--text", PROMPT};
        JsonNode json = jgpt(concat(score, new String[] {"--json"})).json();
        String summary = String.format("loss %.4f nats/token, perplexity %.4f over %d predicted tokens",
                json.get("loss").asDouble(), json.get("perplexity").asDouble(), json.get("logprobs").size());
        Run brief = jgpt(score);
        assertThat(brief.exit()).as(brief.err()).isZero();
        assertThat(brief.out().strip()).isEqualTo(summary);
        List<String> perToken = jgpt(concat(score, new String[] {"--per-token"})).out().strip().lines().toList();
        assertThat(perToken).hasSize(1 + json.get("logprobs").size() + 1);
        assertThat(perToken.getFirst()).contains("pos", "logprob", "model's top choice");
        assertThat(perToken.getLast()).isEqualTo(summary);
    }

    private static String[] concat(String[] a, String[] b) {
        List<String> all = new ArrayList<>(List.of(a));
        all.addAll(List.of(b));
        return all.toArray(String[]::new);
    }
}
