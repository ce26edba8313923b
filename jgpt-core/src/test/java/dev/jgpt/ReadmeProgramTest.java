package dev.jgpt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jgpt.convert.RandomModel;
import dev.jgpt.model.ModelConfig;
import dev.jgpt.tensor.DType;
import dev.jgpt.tokenizer.TokenizerJson;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The program README.md shows under "As a library", taken from the README as it stands, compiled
 * and run as an application would: on the module path, where only what dev.jgpt.core exports is
 * visible, and without {@code --add-modules} (the module requires the Vector API itself).
 */
class ReadmeProgramTest {
    private static final Path README = Path.of(System.getProperty("user.dir")).getParent().resolve("README.md");
    private static final long TIMEOUT_SECONDS = 180;

    @TempDir
    Path dir;

    /** The first Java block after the "As a library" heading. */
    private static String program() throws IOException {
        String readme = Files.readString(README);
        String section = readme.substring(readme.indexOf("## As a library"));
        Matcher block = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(section);
        assertThat(block.find()).as("a java block in README.md's library section").isTrue();
        return block.group(1);
    }

    /** jgpt-core's classes (an exploded module) and every jar of this test's class path; the tests' own classes left out. */
    private static String modulePath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.endsWith("test-classes"))
                .collect(Collectors.joining(File.pathSeparator));
    }

    @Test
    void theReadmesChatProgramCompilesAgainstTheExportedApiAndChatsWithATinyModel() throws Exception {
        String program = program();
        Matcher name = Pattern.compile("public class (\\w+)").matcher(program);
        assertThat(name.find()).isTrue();
        Path source = dir.resolve("src").resolve(name.group(1) + ".java");
        Files.createDirectories(source.getParent());
        Files.writeString(source, program);
        Path classes = dir.resolve("classes");
        Path model = dir.resolve("gpt2"); // the tiny GPT-2 with room for a system prompt and a message spelt nearly letter by letter
        RandomModel.write(ModelConfig.gpt2(2, 2, 16, 512, TinyModels.VOCAB), DType.F32, 1, model);
        TokenizerJson.write(TinyModels.TOKENIZER, model.resolve("tokenizer.json"));
        Path javaHome = Path.of(System.getProperty("java.home"));

        run(List.of(javaHome.resolve("bin/javac").toString(), "--module-path", modulePath(), "--add-modules", "dev.jgpt.core",
                "-d", classes.toString(), source.toString()), "");
        String output = run(List.of(javaHome.resolve("bin/java").toString(), "--module-path", modulePath(),
                "--add-modules", "dev.jgpt.core", "--enable-native-access=dev.jgpt.core", "-cp", classes.toString(), name.group(1),
                model.toString()), "the cat sat\nand the dog?\n");

        assertThat(output).doesNotContain("Exception");
        assertThat(output.lines().count()).as(output).isGreaterThanOrEqualTo(2);
    }

    /** Runs {@code command} with {@code input} on its stdin; its output (stdout and stderr), after checking it ended well. */
    private String run(List<String> command, String input) throws IOException, InterruptedException {
        Path log = Files.createTempFile(dir, "run", ".log");
        Process process = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try (var stdin = process.getOutputStream()) {
            stdin.write(input.getBytes(StandardCharsets.UTF_8));
        }
        boolean ended = process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (!ended) {
            process.destroyForcibly().waitFor();
        }
        String output = Files.readString(log);
        assertThat(ended).as("%s ended within %d s: %s", command.getFirst(), TIMEOUT_SECONDS, output).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }
}
