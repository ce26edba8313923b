package dev.jgpt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code jgpt chat} as a user runs it with input piped in, in its own JVM (so that stdin is a
 * real pipe, not a terminal), on the shipped model; its answers are checked against
 * {@code jgpt generate} continuing the plain template's transcript.
 */
class ChatCommandTest {
    private static final int MAX_TOKENS = 16;

    record Run(int exit, String out, String err) {}

    @Test
    void pipedMessagesAreAnsweredAsGenerateContinuesTheTranscript() throws Exception {
        Run run = chat("Hello there\n/system Speak in verse.\nHow are you?\n\n/reset\nTell me \\\nmore\n",
                "-n", Integer.toString(MAX_TOKENS), "--temperature", "0");
        assertThat(run.exit()).as(run.err()).isZero();

        String a1 = continuation("User: Hello there\nAssistant:");
        String a2 = continuation("System: Speak in verse.\nUser: Hello there\nAssistant: " + a1 + "\nUser: How are you?\nAssistant:");
        // /reset forgets the exchanges, not the system prompt; "\" at the end of a line goes on in the next
        String a3 = continuation("System: Speak in verse.\nUser: Tell me \nmore\nAssistant:");
        assertThat(run.out()).isEqualTo(a1 + "\n" + a2 + "\n" + a3 + "\n");

        assertThat(run.err()).contains("[system prompt set]", "[conversation cleared]");
        List<int[]> prompts = statusLines(run.err());
        assertThat(prompts).hasSize(3);
        // nothing to reuse at first; the system prompt, put in front, changes the whole second prompt;
        // the third starts as the second did
        assertThat(prompts.get(0)[1]).isZero();
        assertThat(prompts.get(1)[1]).isZero();
        assertThat(prompts.get(2)[1]).isPositive().isLessThan(prompts.get(2)[0]);
    }

    @Test
    void aMessageTooLongIsAOneLineErrorTheOthersAreAnswered() throws Exception {
        String tooLong = "Now is the winter of our discontent. ".repeat(60);
        Run run = chat("Hi\n" + tooLong + "\nBye\n/exit\nnever sent\n", "-n", "8", "--temperature", "0", "--quiet");
        assertThat(run.exit()).isEqualTo(1);
        // the conversation goes on as if the long message had not been sent
        String a1 = continuation("User: Hi\nAssistant:", 8);
        String a2 = continuation("User: Hi\nAssistant: " + a1 + "\nUser: Bye\nAssistant:", 8);
        assertThat(run.out()).isEqualTo(a1 + "\n" + a2 + "\n");
        assertThat(run.err().lines().filter(line -> !line.startsWith("WARNING"))).singleElement().asString()
                .startsWith("jgpt: the message is too long").contains("context window of 256 tokens");
    }

    @Test
    void anUnknownTemplateNameIsAOneLineError() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), "chat", "--chat-template", "alpaca");
        assertThat(exit).isEqualTo(1);
        assertThat(err.toString()).startsWith("jgpt: unknown chat template 'alpaca'").contains("llama3, chatml, zephyr, llama2, plain")
                .hasLineCount(1);
    }

    /** What {@code jgpt generate} writes after {@code prompt}, greedily, up to the plain template's stop, stripped. */
    private static String continuation(String prompt) throws IOException {
        return continuation(prompt, MAX_TOKENS);
    }

    private static String continuation(String prompt, int maxTokens) throws IOException {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), "generate", "--json", "--temperature", "0",
                "-n", Integer.toString(maxTokens), "--stop", "\nUser:", prompt);
        assertThat(exit).as(err.toString()).isZero();
        return new ObjectMapper().readTree(out.toString()).get("text").asText().strip();
    }

    /** (prompt tokens, of them reused) from each status line. */
    private static List<int[]> statusLines(String err) {
        Matcher m = Pattern.compile("prompt (\\d+) tokens, (\\d+) of them from the last turn").matcher(err);
        List<int[]> found = new ArrayList<>();
        while (m.find()) {
            found.add(new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))});
        }
        return found;
    }

    /** Runs {@code jgpt chat ARGS} in a new JVM on this test's class path, with {@code input} as its stdin. */
    private static Run chat(String input, String... args) throws Exception {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-cp", classPath, Main.class.getName(), "chat"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
        try (OutputStream stdin = process.getOutputStream()) {
            stdin.write(input.getBytes(StandardCharsets.UTF_8));
        }
        String out = readAll(process.getInputStream());
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("jgpt chat ended").isTrue();
        return new Run(process.exitValue(), out, err.get());
    }

    private static String readAll(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
