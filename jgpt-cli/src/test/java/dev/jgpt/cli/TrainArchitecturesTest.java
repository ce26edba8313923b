package dev.jgpt.cli;

import static dev.jgpt.cli.CliTest.jgpt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jgpt.cli.CliTest.Run;
import dev.jgpt.format.Gguf;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code jgpt train --arch llama|qwen2} on Tiny Shakespeare, then {@code export-gguf}: the GGUF
 * file, read back by jgpt, scores a text as the trained checkpoint does.
 */
class TrainArchitecturesTest {
    private static final String TEXT = "ROMEO:\nWhat light through yonder";

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"llama", "qwen2"})
    void aTrainedModelScoresTheSameAfterExportToGguf(String arch) throws IOException {
        Path data = dir.resolve("shakespeare.txt");
        Files.writeString(data, Files.readString(CliTest.shared("corpora/tinyshakespeare.txt")).substring(0, 20_000));
        Path out = dir.resolve(arch);
        Run train = jgpt("train", "--data", data.toString(), "--out", out.toString(), "--arch", arch, "--layers", "1",
                "--heads", "4", "--kv-heads", "2", "--embd", "32", "--ctx", "32", "--batch", "4", "--steps", "4", "--warmup", "1",
                "--tokenizer", "bpe", "--vocab-size", "300", "--eval-every", "0", "--eval-batches", "1", "--sample-every", "0",
                "--threads", "2", "--json");
        assertThat(train.exit()).as(train.err()).isZero();
        Run scored = jgpt("score", "--model", out.toString(), "--json", "--text", TEXT);
        assertThat(scored.exit()).as(scored.err()).isZero();
        JsonNode before = scored.json();

        Path gguf = dir.resolve(arch + ".gguf");
        Run export = jgpt("export-gguf", out.toString(), gguf.toString());
        assertThat(export.exit()).as(export.err()).isZero();
        JsonNode after = jgpt("score", "--model", gguf.toString(), "--json", "--text", TEXT).json();

        assertThat(after.get("tokens")).isEqualTo(before.get("tokens"));
        assertThat(after.get("loss").asDouble()).isCloseTo(before.get("loss").asDouble(), within(1e-5));
        try (Gguf file = Gguf.open(gguf)) {
            assertThat(file.metadata().architecture()).isEqualTo(arch);
            assertThat(file.metadata().getInt(arch + ".attention.head_count_kv")).isEqualTo(2);
        }
    }
}
