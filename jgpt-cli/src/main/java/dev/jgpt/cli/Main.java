package dev.jgpt.cli;

import dev.jgpt.JgptException;
import dev.jgpt.Quoted;
import dev.jgpt.tensor.VectorApi;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code jgpt} command: one subcommand class per verb. */
@Command(name = "jgpt", mixinStandardHelpOptions = true, sortOptions = false, versionProvider = Main.Version.class,
        description = "A transformer language-model engine in pure Java.")
public final class Main implements Runnable {
    /** The subcommands, in the order the help lists them. */
    static final List<Class<?>> COMMANDS = List.of(
            GenerateCommand.class,
            ChatCommand.class,
            RenderChatCommand.class,
            ServeCommand.class,
            TokenizeCommand.class,
            ScoreCommand.class,
            ExplainCommand.class,
            EmbedNearestCommand.class,
            InfoCommand.class,
            PullCommand.class,
            ListCommand.class,
            RmCommand.class,
            BenchCommand.class,
            MakeModelCommand.class,
            TrainCommand.class,
            WatchCommand.class,
            FinetuneCommand.class,
            TrainTokenizerCommand.class,
            ExportGgufCommand.class,
            QuantizeCommand.class,
            MergeLoraCommand.class,
            CommandLine.HelpCommand.class);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        if (!VectorApi.available()) {
            err.println("jgpt: " + VectorApi.MISSING);
            System.exit(1);
        }
        try {
            System.exit(run(out, err, args));
        } catch (OutOfMemoryError e) {
            err.println("jgpt: out of memory (give the JVM more with JGPT_JAVA_OPTS=-Xmx...)");
            System.exit(1);
        }
    }

    /** Runs the command line with the given output streams and returns the exit code (0 = success). */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new Main());
        for (Class<?> command : commandsFor(args)) {
            cli.addSubcommand(command);
        }
        // settings reach the subcommands added so far, so they come after them
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler(Main::onFailure);
        cli.setParameterExceptionHandler(Main::onBadArguments);
        return cli.execute(args);
    }

    /**
     * The subcommands a command line needs: only the one it names, when its first word names one
     * (picocli reads every option of every subcommand it is given, a good part of a short run's
     * start-up); none for the version alone; all of them for the help or a mistyped name.
     */
    static List<Class<?>> commandsFor(String... args) {
        if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
            return List.of();
        }
        if (args.length > 0) {
            for (Class<?> command : COMMANDS) {
                Command annotation = command.getAnnotation(Command.class);
                boolean named = annotation.name().equals(args[0]) || List.of(annotation.aliases()).contains(args[0]);
                if (named && command != CommandLine.HelpCommand.class) {
                    return List.of(command);
                }
            }
        }
        return COMMANDS;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Problems a user can fix are one line; anything else is a bug, said as such. */
    private static int onFailure(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
        PrintWriter err = cli.getErr();
        if (e instanceof JgptException) {
            err.println("jgpt: " + Quoted.line(e.getMessage()));
        } else {
            err.println("jgpt: internal error: " + Quoted.line(String.valueOf(e)));
            if (System.getenv("JGPT_DEBUG") != null) {
                e.printStackTrace(err);
            } else {
                err.println("jgpt: run with JGPT_DEBUG=1 for the stack trace, and please report it");
            }
        }
        err.flush();
        return 1;
    }

    private static int onBadArguments(CommandLine.ParameterException e, String[] args) {
        CommandLine cli = e.getCommandLine();
        String help = cli.getCommandSpec().qualifiedName() + " --help";
        if (e instanceof CommandLine.UnmatchedArgumentException unmatched && !unmatched.getUnmatched().isEmpty()) {
            cli.getErr().println("jgpt: " + unknown(unmatched, help));
        } else {
            cli.getErr().println("jgpt: " + Quoted.line(e.getMessage()));
            cli.getErr().println("Try '" + help + "' for the options.");
        }
        cli.getErr().flush();
        return 2;
    }

    /** An argument nothing takes, with the nearest command or option picocli finds (one line). */
    private static String unknown(CommandLine.UnmatchedArgumentException e, String help) {
        String word = e.getUnmatched().getFirst();
        boolean option = word.startsWith("-") && word.length() > 1;
        boolean commands = !e.getCommandLine().getSubcommands().isEmpty();
        String what = option ? "unknown option " : commands ? "unknown command " : "unexpected argument ";
        List<String> nearest = e.getSuggestions();
        return what + Quoted.of(word) + (nearest.isEmpty() ? "; see '" + help + "'"
                : "; did you mean '" + nearest.getFirst() + "'? (see '" + help + "')");
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"jgpt " + (version == null ? "development build" : version),
                "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")"};
        }
    }
}
