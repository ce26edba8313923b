package dev.jgpt.cli;

import static dev.jgpt.cli.CliTest.jgpt;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jgpt.cli.CliTest.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** jgpt finetune as a user runs it on stories260K, and the adapter it writes under --lora and merge-lora. */
class FinetuneCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROMPT = "First Citizen:";

    @TempDir
    Path dir;

    @Test
    void theAdapterItWritesRunsWithLoraAsItsMergedModelDoes() throws IOException {
        Path stories = CliTest.shared("models/stories260K.gguf");
        Path text = Files.writeString(dir.resolve("paragraph.txt"),
                Files.readString(CliTest.shared("corpora/tinyshakespeare.txt")).substring(0, 1200));
        Path adapter = dir.resolve("adapter.gguf");
        Run run = jgpt("finetune", "--model", stories.toString(), "--data", text.toString(), "--out", adapter.toString(),
                "--lora-rank", "8", "--lora-alpha", "16", "--targets", "q,k,v,o,up,down", "--steps", "30", "--batch", "4",
                "--seq-len", "32", "--lr", "3e-3", "--val-fraction", "0.25", "--eval-every", "10", "--json");
        assertThat(run.exit()).as(run.err()).isZero();
        List<Double> losses = new ArrayList<>();
        List<Double> validation = new ArrayList<>();
        for (String line : run.out().strip().split("\n")) {
            JsonNode node = JSON.readTree(line);
            if (node.has("loss")) {
                losses.add(node.get("loss").asDouble());
            } else {
                validation.add(node.get("val_loss").asDouble());
            }
        }
        assertThat(losses).hasSize(30);
        assertThat(validation).hasSize(3);
        assertThat(losses.getLast()).isLessThan(losses.getFirst() - 1);

        Path merged = dir.resolve("merged.gguf");
        Run merge = jgpt("merge-lora", "--model", stories.toString(), "--lora", adapter.toString(), "--out", merged.toString(),
                "--type", "F32");
        assertThat(merge.exit()).as(merge.err()).isZero();
        String adapted = generate("--model", stories.toString(), "--lora", adapter.toString());
        assertThat(adapted).isEqualTo(generate("--model", merged.toString()))
                .isNotEqualTo(generate("--model", stories.toString()));
    }

    @Test
    void badOptionsAreOneLineErrors() throws IOException {
        Path stories = CliTest.shared("models/stories260K.gguf");
        Path text = Files.writeString(dir.resolve("t.txt"), "some text");
        String[] common = {"finetune", "--model", stories.toString(), "--data", text.toString(), "--out", dir.resolve("a.gguf").toString()};
        assertOneLineError(jgpt(with(common, "--targets", "q,x")), "--targets: 'x' is not a linear map of a block");
        assertOneLineError(jgpt(common), "(train) has 6 tokens, fewer than one batch needs (4 × 128 + 1 = 513)");
        assertOneLineError(jgpt(with(common, "--dtype", "Q8_0")), "--dtype must be F32, F16 or BF16");
        assertOneLineError(jgpt(with(common, "--lora-rank", "0")), "--lora-rank must be positive, got 0");
        assertOneLineError(jgpt(with(common, "--seq-len", "5000")), "--seq-len must be between 1 and the model's context window");
        assertOneLineError(jgpt(with(common, "--lora", dir.resolve("a.gguf").toString())), "--lora cannot be given to finetune");
    }

    private static String generate(String... model) throws IOException {
        List<String> args = new ArrayList<>(List.of("generate", PROMPT, "-n", "24", "--temperature", "0", "--json"));
        args.addAll(List.of(model));
        Run run = jgpt(args.toArray(String[]::new));
        assertThat(run.exit()).as(run.err()).isZero();
        return run.json().get("text").asText();
    }

    private static String[] with(String[] common, String... more) {
        List<String> all = new ArrayList<>(List.of(common));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    private static void assertOneLineError(Run run, String mentions) {
        assertThat(run.exit()).isNotZero();
        assertThat(run.err()).contains(mentions).doesNotContain("Exception", "\tat ");
        assertThat(run.err().strip().lines()).hasSize(1);
    }
}
