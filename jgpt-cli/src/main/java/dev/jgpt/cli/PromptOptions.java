package dev.jgpt.cli;

import dev.jgpt.train.TokenDataset;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.stream.Stream;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Where a prompt comes from: the PROMPT argument, -p/--prompt or -f/--file, once; "-" reads it from stdin. */
final class PromptOptions {
    private static final String STDIN = "-";

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Parameters(index = "0", arity = "0..1", paramLabel = "PROMPT", description = "The text to continue; - reads it from stdin.")
    String argument;

    @Option(names = {"-p", "--prompt"}, paramLabel = "TEXT", description = "The text to continue, as an option instead of PROMPT.")
    String option;

    @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Read the text to continue from a UTF-8 file; - reads stdin.")
    String file;

    /** The prompt, read from {@code stdin} when it is "-". */
    String text(InputStream stdin) {
        long given = Stream.of(argument, option, file).filter(s -> s != null).count();
        if (given != 1) {
            throw new ParameterException(command.commandLine(), (given == 0 ? "no prompt" : "more than one prompt")
                    + ": give it once, as PROMPT, with -p/--prompt TEXT or with -f/--file FILE (- reads stdin)");
        }
        if (file != null) {
            return file.equals(STDIN) ? read(stdin) : TokenDataset.readText(Path.of(file));
        }
        String text = argument != null ? argument : option;
        return text.equals(STDIN) ? read(stdin) : text;
    }

    private static String read(InputStream stdin) {
        try {
            return new String(stdin.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
