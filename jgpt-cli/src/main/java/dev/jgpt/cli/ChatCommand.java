package dev.jgpt.cli;

import dev.jgpt.JgptException;
import dev.jgpt.generate.ChatSession;
import dev.jgpt.generate.ChatTemplate;
import dev.jgpt.generate.Generation;
import dev.jgpt.generate.GenerationSettings;
import dev.jgpt.generate.LanguageModel;
import dev.jgpt.generate.TokenListener;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jline.reader.EOFError;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.ParsedLine;
import org.jline.reader.Parser;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.DefaultParser;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "chat", aliases = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Talk with a model: type a message, read the answer as it is written.",
            "",
            "Enter sends a message; a line ending in \\ goes on in the next line, and text between \"\"\" markers may span lines.",
            "Commands: /reset forgets the conversation, /system TEXT sets the system prompt (no TEXT: removes it), /exit ends "
                    + "(as Ctrl-D does). Ctrl-C stops the answer being written; it stays in the conversation.",
            "History is kept in ~/.cache/jgpt/chat_history. When the conversation outgrows the context window, its oldest "
                    + "exchanges are dropped (never the system prompt).",
            "",
            "Without a terminal (input piped in), every line is one message (or command), read as if typed, and each answer is "
                    + "printed on stdout followed by a newline; the status lines go to stderr."})
final class ChatCommand implements Callable<Integer> {
    private static final String HINT = "Enter sends; end a line with \\ or wrap text in \"\"\" for more lines; "
            + "/reset, /system TEXT, /exit or Ctrl-D; Ctrl-C stops an answer.";

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions model = new ModelOptions();

    @Parameters(index = "0", arity = "0..1", paramLabel = "MODEL", description = "The model, as --model gives it (jgpt run MODEL).")
    String modelArgument;

    @Mixin
    ContextSizeOption contextSize = new ContextSizeOption();

    @Option(names = "--system", paramLabel = "TEXT", description = "System prompt: instructions the model sees before the conversation.")
    String system;

    @Option(names = "--chat-template", paramLabel = "NAME",
            description = "How messages are written for the model: llama3, chatml, zephyr, llama2, or plain (User:/Assistant: lines) "
                    + "(default: the model's own chat template, run; plain when it has none).")
    String chatTemplate;

    @Option(names = {"-n", "--max-tokens"}, paramLabel = "N", defaultValue = "512",
            description = "Most tokens per answer (default: ${DEFAULT-VALUE}); a prompt keeps room for min(N, half the context window).")
    int maxTokens;

    @Mixin
    SamplingOptions sampling = new SamplingOptions();

    @Option(names = {"-q", "--quiet"}, description = "No status line (tokens, tokens/s) after each answer.")
    boolean quiet;

    private GenerationSettings settings;

    @Override
    public Integer call() {
        settings = GenerationSettings.of(maxTokens, sampling.settings());
        model.orArgument(modelArgument);
        try (LanguageModel lm = contextSize.applyTo(model.open())) {
            ChatSession session = lm.newChat(template(lm));
            session.setSystem(system);
            Console console = System.console();
            return console != null && console.isTerminal() ? interactive(session) : piped(session);
        }
    }

    private ChatTemplate template(LanguageModel lm) {
        if (chatTemplate != null) {
            return ChatTemplate.named(chatTemplate);
        }
        return lm.template();
    }

    /** Lines from the terminal through JLine, answers streamed to it. */
    private int interactive(ChatSession session) {
        try (Terminal terminal = TerminalBuilder.builder().system(true).build()) {
            AtomicBoolean interrupted = new AtomicBoolean();
            // outside readLine (which turns Ctrl-C into UserInterruptException) Ctrl-C stops the answer
            terminal.handle(Terminal.Signal.INT, signal -> interrupted.set(true));
            LineReader reader = LineReaderBuilder.builder()
                    .terminal(terminal)
                    .appName("jgpt")
                    .parser(new MultiLineParser())
                    .variable(LineReader.HISTORY_FILE, DefaultModel.cacheRoot().resolve("chat_history"))
                    .variable(LineReader.SECONDARY_PROMPT_PATTERN, "... ")
                    .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true) // "!" is text, and backslashes stay for ChatInput
                    .build();
            PrintWriter out = terminal.writer();
            out.println("jgpt chat · " + session.template().name() + " template · context " + session.contextWindow() + " tokens");
            out.println(HINT);
            out.flush();
            while (true) {
                String input;
                try {
                    input = reader.readLine("> ");
                } catch (UserInterruptException e) {
                    continue; // Ctrl-C at the prompt drops the line being typed
                } catch (EndOfFileException e) {
                    return 0;
                }
                try {
                    if (!handle(input, session, out, out, interrupted)) {
                        return 0;
                    }
                } catch (JgptException e) {
                    out.println("jgpt: " + e.getMessage());
                    out.flush();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Lines from stdin: one message or command each (with the same continuation rules as typed input). */
    private int piped(ChatSession session) {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        boolean failed = false;
        try {
            for (String input = nextInput(in); input != null; input = nextInput(in)) {
                try {
                    if (!handle(input, session, out, err, new AtomicBoolean())) {
                        break;
                    }
                } catch (JgptException e) {
                    err.println("jgpt: " + e.getMessage());
                    err.flush();
                    failed = true;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return failed ? 1 : 0;
    }

    /** The next complete input from {@code in} (lines joined while {@link ChatInput#needsMore}), null at the end. */
    private static String nextInput(BufferedReader in) throws IOException {
        String input = in.readLine();
        while (input != null && ChatInput.needsMore(input)) {
            String line = in.readLine();
            if (line == null) {
                break;
            }
            input += "\n" + line;
        }
        return input;
    }

    /**
     * Acts on one complete input, a command or a message; false when the chat should end.
     *
     * @throws JgptException when the message cannot be answered (the conversation is unchanged)
     */
    private boolean handle(String input, ChatSession session, PrintWriter out, PrintWriter notes, AtomicBoolean interrupted) {
        String text = ChatInput.message(input);
        if (text.isEmpty()) {
            return true;
        }
        if (text.startsWith("/")) {
            return command(text, session, notes);
        }
        interrupted.set(false);
        ChatSession.Reply reply = session.send(text, settings, new AnswerPrinter(out, interrupted));
        out.println();
        out.flush();
        if (!reply.dropped().isEmpty()) {
            notes.println("[dropped the " + reply.dropped().size() + " oldest messages to stay within the context window of "
                    + session.contextWindow() + " tokens]");
        }
        if (!quiet) {
            notes.println(status(reply));
        }
        notes.flush();
        return true;
    }

    private boolean command(String text, ChatSession session, PrintWriter notes) {
        String[] parts = text.split("\\s+", 2);
        switch (parts[0]) {
            case "/exit", "/quit" -> {
                return false;
            }
            case "/reset" -> {
                session.reset();
                notes.println("[conversation cleared]");
            }
            case "/system" -> {
                session.setSystem(parts.length > 1 ? parts[1] : null);
                notes.println(session.system().isPresent() ? "[system prompt set]" : "[system prompt removed]");
            }
            default -> notes.println("[unknown command " + parts[0] + "; the commands are /reset, /system TEXT and /exit]");
        }
        notes.flush();
        return true;
    }

    private String status(ChatSession.Reply reply) {
        Generation g = reply.generation();
        String ending = switch (g.finishReason()) {
            case STOP -> "";
            case LENGTH -> "; cut at " + maxTokens + " tokens (-n)";
            case CONTEXT_FULL -> "; the context window is full";
            case CANCELLED -> "; stopped";
        };
        return String.format("[%d tokens at %.1f tokens/s; prompt %d tokens, %d of them from the last turn%s]",
                g.timings().generatedTokens(), g.timings().generationTokensPerSecond(),
                g.promptTokens().length, reply.reusedTokens(), ending);
    }

    /**
     * Streams an answer as the conversation keeps it, without surrounding whitespace: whitespace is
     * held back until text follows it. Cancelled while {@code interrupted} is set.
     */
    private static final class AnswerPrinter implements TokenListener {
        private final PrintWriter out;
        private final AtomicBoolean interrupted;
        private final StringBuilder heldBack = new StringBuilder();
        private boolean started;

        AnswerPrinter(PrintWriter out, AtomicBoolean interrupted) {
            this.out = out;
            this.interrupted = interrupted;
        }

        @Override
        public void onToken(int id, String text) {
            heldBack.append(text);
            String body = heldBack.toString().stripTrailing();
            if (body.isEmpty()) {
                return;
            }
            out.print(started ? body : body.stripLeading());
            out.flush();
            started = true;
            heldBack.delete(0, body.length());
        }

        @Override
        public boolean cancelled() {
            return interrupted.get();
        }
    }

    /** Asks JLine for more lines while the input is incomplete ({@link ChatInput#needsMore}). */
    private static final class MultiLineParser implements Parser {
        private final DefaultParser words = new DefaultParser();

        @Override
        public ParsedLine parse(String line, int cursor, ParseContext context) {
            if (context == ParseContext.ACCEPT_LINE && ChatInput.needsMore(line)) {
                throw new EOFError(-1, cursor, "the message goes on");
            }
            return words.parse(line, cursor, context);
        }
    }
}
