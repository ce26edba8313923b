package dev.jgpt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Every command's help has one layout: no header, named placeholders, and descriptions that
 * start with a whole sentence (the command list shows a command's first line alone).
 */
class HelpTextTest {
    /** A placeholder picocli makes from a Java field name when an option has no paramLabel: {@code <checkpointEvery>}. */
    private static final Pattern FIELD_NAME = Pattern.compile("<[a-z][A-Za-z0-9]*>");

    private static List<CommandLine> everyCommand() {
        CommandLine jgpt = new CommandLine(new Main());
        Main.COMMANDS.forEach(jgpt::addSubcommand);
        List<CommandLine> all = new ArrayList<>(List.of(jgpt));
        jgpt.getSubcommands().values().stream()
                .filter(command -> !(command.getCommand() instanceof CommandLine.HelpCommand)) // picocli's own
                .forEach(all::add);
        return all;
    }

    @Test
    void noPlaceholderIsAJavaFieldName() {
        List<String> found = new ArrayList<>();
        for (CommandLine command : everyCommand()) {
            Matcher m = FIELD_NAME.matcher(command.getUsageMessage());
            while (m.find()) {
                found.add(command.getCommandName() + ": " + m.group());
            }
        }
        assertThat(found).isEmpty();
    }

    @Test
    void everyCommandAndOptionStartsItsDescriptionWithAWholeSentence() {
        List<String> cut = new ArrayList<>();
        for (CommandLine command : everyCommand()) {
            CommandSpec spec = command.getCommandSpec();
            String name = spec.qualifiedName();
            if (spec.usageMessage().sortOptions()) {
                cut.add(name + ": options sorted by name (the others list them in the order they are declared)");
            }
            if (spec.usageMessage().header().length > 0) {
                cut.add(name + ": a header (the summary is the description's first line)");
            }
            check(name, spec.usageMessage().description(), cut);
            for (ArgSpec arg : spec.args()) {
                check(name + " " + (arg instanceof CommandLine.Model.OptionSpec o ? o.longestName() : arg.paramLabel()),
                        arg.description(), cut);
            }
        }
        assertThat(cut).isEmpty();
    }

    private static void check(String where, String[] description, List<String> cut) {
        if (description.length == 0 || !description[0].strip().matches("(?s).*[.!?]")) {
            cut.add(where + ": " + (description.length == 0 ? "(no description)" : description[0]));
        }
    }
}
