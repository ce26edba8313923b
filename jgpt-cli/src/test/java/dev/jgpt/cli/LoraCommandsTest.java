package dev.jgpt.cli;

import static dev.jgpt.cli.CliTest.jgpt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jgpt.cli.CliTest.Run;
import dev.jgpt.format.Gguf;
import dev.jgpt.lora.RandomLora;
import dev.jgpt.model.load.ModelFiles;
import dev.jgpt.tensor.DType;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --lora, merge-lora and info on adapters as a user calls them, on a Llama that make-model writes. */
class LoraCommandsTest {
    private static final String PROMPT = "the cat sat";

    @TempDir
    static Path dir;

    static Path base;
    static Path adapter;

    @BeforeAll
    static void makeModelAndAdapter() {
        base = dir.resolve("base.gguf");
        Run run = jgpt("make-model", "--preset", "llama-tiny", "--out", base.toString(), "--seed", "3");
        assertThat(run.exit()).as(run.err()).isZero();
        adapter = dir.resolve("adapter.gguf");
        try (ModelFiles model = ModelFiles.open(base)) {
            RandomLora.of(model.transformer().weights(), name -> !name.contains("ffn_gate"), 4, 8f, 0.5, 9).write(adapter, DType.F16);
        }
    }

    @Test
    void generatingWithAnAdapterEqualsGeneratingWithTheMergedModel() throws IOException {
        Path merged = dir.resolve("merged.gguf");
        Run merge = jgpt("merge-lora", "--model", base.toString(), "--lora", adapter + ":0.8", "--out", merged.toString());
        assertThat(merge.exit()).as(merge.err()).isZero();
        assertThat(merge.out()).contains("wrote     " + merged, "tensors   21, 12 of them with adapters merged in");
        JsonNode adapted = jgpt("generate", PROMPT, "--model", base.toString(), "--lora", adapter + ":0.8", "-n", "12",
                "--temperature", "0", "--json").json();
        JsonNode reference = jgpt("generate", PROMPT, "--model", merged.toString(), "-n", "12", "--temperature", "0", "--json").json();
        JsonNode plain = jgpt("generate", PROMPT, "--model", base.toString(), "-n", "12", "--temperature", "0", "--json").json();
        assertThat(adapted.get("text").asText()).isEqualTo(reference.get("text").asText())
                .isNotEqualTo(plain.get("text").asText());
    }

    @Test
    void scoringWithTwoAdaptersEqualsScoringTheModelTheyMergeInto() throws IOException {
        Path merged = dir.resolve("merged-twice.gguf");
        Run merge = jgpt("merge-lora", "-m", base.toString(), "--lora", adapter.toString(), "--lora", adapter + ":-0.25",
                "--out", merged.toString());
        assertThat(merge.exit()).as(merge.err()).isZero();
        double adapted = jgpt("score", "--model", base.toString(), "--lora", adapter.toString(), "--lora", adapter + ":-0.25",
                "--text", PROMPT + " on the mat", "--json").json().get("loss").asDouble();
        double reference = jgpt("score", "--model", merged.toString(), "--text", PROMPT + " on the mat", "--json").json()
                .get("loss").asDouble();
        assertThat(adapted).isCloseTo(reference, within(1e-4));
    }

    @Test
    void mergeLoraWritesTheTypeAskedFor() throws IOException {
        Path merged = dir.resolve("merged-q8.gguf");
        Run merge = jgpt("merge-lora", "--model", base.toString(), "--lora", adapter.toString(), "--out", merged.toString(),
                "--type", "q8_0");
        assertThat(merge.exit()).as(merge.err()).isZero();
        try (Gguf gguf = Gguf.open(merged)) {
            assertThat(gguf.require("blk.0.attn_q.weight").dtype()).isEqualTo(DType.Q8_0);
            assertThat(gguf.require("blk.0.attn_norm.weight").dtype()).isEqualTo(DType.F32);
        }
    }

    @Test
    void infoSaysAnAdapterIsOne() throws IOException {
        Run run = jgpt("info", adapter.toString());
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("type          LoRA adapter of a llama model", "rank          4",
                "alpha         8.0 (at scale 1, B·A is added times alpha / rank = 2.0)",
                "targets       12 weights: attn_k.weight (2), attn_output.weight (2), attn_q.weight (2)");
        JsonNode json = jgpt("info", adapter.toString(), "--json").json();
        assertThat(json.get("type").asText()).isEqualTo("lora");
        assertThat(json.get("ranks").toString()).isEqualTo("[4]");
        assertThat(json.get("targets")).hasSize(12);
        Run model = jgpt("info", "--model", base.toString(), "--lora", adapter + ":0.5");
        assertThat(model.exit()).as(model.err()).isZero();
        assertThat(model.out()).contains("LoRA adapter  " + adapter + " at 0.5");
    }

    @Test
    void aBadAdapterIsOneLineNamingIt() {
        Path missing = dir.resolve("missing.gguf");
        Run run = jgpt("generate", PROMPT, "--model", base.toString(), "--lora", missing + ":0.5");
        assertThat(run.exit()).isNotZero();
        assertThat(run.err()).contains(missing.toString()).doesNotContain("Exception").hasLineCount(1);
        Run asModel = jgpt("generate", PROMPT, "--model", adapter.toString());
        assertThat(asModel.exit()).isNotZero();
        assertThat(asModel.err()).contains(adapter + ": a LoRA adapter (general.type is 'adapter'), not a model")
                .doesNotContain("Exception");
        Run noBase = jgpt("merge-lora", "--model", base.toString(), "--lora", base.toString(), "--out", dir.resolve("x.gguf").toString());
        assertThat(noBase.exit()).isNotZero();
        assertThat(noBase.err()).contains(base + ": not a LoRA adapter").doesNotContain("Exception");
    }

    @Test
    void theCommandsThatRunAModelTakeAdapters() {
        for (String command : new String[] {"generate", "chat", "serve", "score"}) {
            assertThat(jgpt(command, "--help").out()).as(command).contains("--lora=FILE[:SCALE]");
        }
    }
}
