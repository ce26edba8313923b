package dev.jgpt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jgpt.tensor.VectorApi;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import picocli.CommandLine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command tree: a command line that names a subcommand builds that one alone, and it acts as in the whole tree. */
class MainTest {
    private static String run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        assertThat(exit).as(err.toString()).isZero();
        return out.toString();
    }

    /** Every subcommand in one tree, as picocli would build it from the annotations alone. */
    private static CommandLine wholeTree() {
        CommandLine cli = new CommandLine(new Main());
        Main.COMMANDS.forEach(cli::addSubcommand);
        return cli;
    }

    @Test
    void aNamedSubcommandIsBuiltAloneWithTheSameOptionsAsInTheWholeTree() {
        CommandLine whole = wholeTree();
        assertThat(whole.getSubcommands().values().stream().distinct()).hasSize(Main.COMMANDS.size()); // "run" is chat's alias
        whole.getSubcommands().forEach((name, command) -> {
            if (!name.equals("help")) {
                assertThat(Main.commandsFor(name, "--help")).containsExactly(command.getCommand().getClass());
                assertThat(run(name, "--help")).isEqualTo(command.getUsageMessage());
            }
        });
    }

    @Test
    void withoutTheVectorApiModuleACommandSaysInOneLineHowToStartJava(@TempDir Path dir) throws InterruptedException {
        ChildJvm jgpt = ChildJvm.startWithoutVectorApi(dir.resolve("output.txt"), "generate", "-n", "2", "ROMEO:");
        assertThat(jgpt.await(120)).as(jgpt.text()).isEqualTo(1);
        assertThat(jgpt.text()).isEqualTo("jgpt: " + VectorApi.MISSING + System.lineSeparator());
    }

    @Test
    void theVersionAloneNeedsNoSubcommand() {
        assertThat(Main.commandsFor("--version")).isEmpty();
        assertThat(Main.commandsFor("-V")).isEmpty();
        StringWriter version = new StringWriter();
        wholeTree().printVersionHelp(new PrintWriter(version, true));
        assertThat(run("--version")).isEqualTo(version.toString()).startsWith("jgpt ");
        assertThat(run("-V")).isEqualTo(version.toString());
    }

    @Test
    void theHelpAndAMistypedNameSeeEverySubcommand() {
        assertThat(Main.commandsFor()).isEqualTo(Main.COMMANDS);
        assertThat(Main.commandsFor("--help")).isEqualTo(Main.COMMANDS);
        assertThat(Main.commandsFor("help", "generate")).isEqualTo(Main.COMMANDS);
        assertThat(Main.commandsFor("generat", "Hi")).isEqualTo(Main.COMMANDS);
        assertThat(Main.commandsFor("run", "--help")).containsExactly(ChatCommand.class);
        assertThat(run("--help")).isEqualTo(wholeTree().getUsageMessage());
        assertThat(run("help", "tokenize")).isEqualTo(wholeTree().getSubcommands().get("tokenize").getUsageMessage());
        StringWriter err = new StringWriter();
        assertThat(Main.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), "generat", "Hi")).isEqualTo(2);
        assertThat(err.toString()).contains("unknown command 'generat'", "jgpt --help");
    }
}
