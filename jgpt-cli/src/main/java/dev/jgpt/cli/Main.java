package dev.jgpt.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code jgpt} command: one subcommand class per verb. */
@Command(name = "jgpt", mixinStandardHelpOptions = true, version = "jgpt 0.1.0",
        description = "A transformer language-model engine in pure Java.",
        subcommands = {CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
