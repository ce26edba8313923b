package dev.jgpt.cli;

import static dev.jgpt.cli.CliTest.jgpt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import dev.jgpt.cli.CliTest.Run;
import dev.jgpt.generate.LanguageModel;
import dev.jgpt.model.Architecture;
import dev.jgpt.model.ModelConfig;
import dev.jgpt.model.Rope;
import dev.jgpt.tokenizer.PreTokenizer;
import dev.jgpt.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** make-model's Llama presets as a user calls them: GGUF files that the model commands open. */
class MakeModelTest {
    /** llama-tiny as the command's help describes it: 2 layers, 4 heads sharing 2 KV heads, 64 dims, SwiGLU 172, untied. */
    private static final ModelConfig LLAMA_TINY = new ModelConfig(Architecture.llama(Rope.of(Rope.Style.NORM, 16, 10000)),
            2, 4, 2, 64, 172, 256, 512, 1e-5f, false);

    @TempDir
    static Path dir;

    static Path tiny;

    @BeforeAll
    static void makeLlamaTiny() {
        tiny = dir.resolve("llama-tiny.gguf");
        Run run = jgpt("make-model", "--preset", "llama-tiny", "--out", tiny.toString(), "--seed", "11");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.err()).contains("llama", "156.48 K parameters", "4 heads (2 KV)", "vocabulary 512");
    }

    @Test
    void llamaTinyOpensAsItsPresetWithGpt2sTokensBelowTheCut() throws IOException {
        Path corpus = Path.of(System.getProperty("jgpt.shared", "../shared")).resolve("corpora/tinyshakespeare.txt");
        assumeTrue(Files.exists(corpus), "reference data not found, skipping: " + corpus);
        Encoding gpt2 = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.R50K_BASE);
        try (LanguageModel lm = LanguageModel.open(tiny)) {
            assertThat(lm.config()).isEqualTo(LLAMA_TINY);
            Tokenizer tokenizer = lm.tokenizer();
            assertThat(tokenizer.vocabSize()).isEqualTo(512);
            assertThat(tokenizer.eosId()).hasValue(511);
            Set<String> pieces = new LinkedHashSet<>(PreTokenizer.GPT2.split(Files.readString(corpus).substring(0, 100_000)));
            int same = 0;
            for (String piece : pieces) {
                int[] ids = tokenizer.encode(piece);
                assertThat(tokenizer.decode(ids)).isEqualTo(piece);
                int[] reference = gpt2.encodeOrdinary(piece).toArray();
                if (Arrays.stream(reference).allMatch(id -> id < 511)) {
                    assertThat(ids).as("ids of %s", piece).containsExactly(reference);
                    same++;
                }
            }
            assertThat(same).isGreaterThan(50);
        }
    }

    @Test
    void llamaTinyGeneratesDescribesItselfAndBenchmarks() throws IOException {
        String[] generate = {"generate", "--model", tiny.toString(), "--json", "--temperature", "0", "-n", "8", "Once upon a time"};
        JsonNode a = jgpt(generate).json();
        assertThat(a.get("tokens")).hasSize(8);
        assertThat(a.get("tokens")).isEqualTo(jgpt(generate).json().get("tokens"));
        JsonNode info = jgpt("info", "--model", tiny.toString(), "--json").json();
        assertThat(info.get("architecture").asText()).isEqualTo("llama");
        assertThat(info.get("n_params").asLong()).isEqualTo(LLAMA_TINY.parameterCount());
        assertThat(info.get("weights_bytes").asLong()).isEqualTo(4 * LLAMA_TINY.parameterCount());
        JsonNode rows = jgpt("bench", "--model", tiny.toString(), "-p", "8", "-n", "2", "-r", "1", "--no-bandwidth", "--json").json();
        assertThat(rows).hasSize(2);
        assertThat(rows.get(1).get("avg_ts").asDouble()).isPositive();
    }

    @Test
    void aQuantizedLlamaKeepsRowsThatAreNotWholeBlocksInF16() throws IOException {
        Path q8 = dir.resolve("q8.gguf");
        Run run = jgpt("make-model", "--preset", "llama-tiny", "--dtype", "q8_0", "--out", q8.toString());
        assertThat(run.exit()).as(run.err()).isZero();
        JsonNode bytes = jgpt("info", "--model", q8.toString(), "--json").json().get("weight_bytes_by_dtype");
        // ffn_down's rows are the 172-wide SwiGLU hidden layer: not whole blocks of 32
        assertThat(bytes.get("F16").asLong()).isEqualTo(2L * LLAMA_TINY.layers() * 64 * 172);
        assertThat(bytes.get("Q8_0").asLong()).isPositive();
        assertThat(jgpt("generate", "--model", q8.toString(), "--json", "-n", "4", "Hi").json().get("tokens")).hasSize(4);
    }

    @Test
    void aGpt2PresetWrittenAsGgufTokenizesAsGpt2() throws IOException {
        Path gguf = dir.resolve("gpt2-tiny.gguf");
        Run run = jgpt("make-model", "--preset", "tiny", "--out", gguf.toString());
        assertThat(run.exit()).as(run.err()).isZero();
        // from ../shared/tokenizer/README.md: llama.cpp's GPT-2 vocabulary gives " Hello world" → 18435 995
        assertThat(jgpt("tokenize", "--model", gguf.toString(), "--json", " Hello world").json().get("ids").toString())
                .isEqualTo("[18435,995]");
        assertThat(jgpt("info", "--model", gguf.toString(), "--json").json().get("architecture").asText()).isEqualTo("gpt2");
    }

    @Test
    void llama110mIsStories110MsShapeOfAbout110MParameters() {
        MakeModelCommand command = new MakeModelCommand();
        command.preset = MakeModelCommand.Preset.LLAMA_110M;
        ModelConfig c = command.config(32000);
        assertThat(c.architecture()).isEqualTo(Architecture.llama(Rope.of(Rope.Style.NORM, 64, 10000)));
        assertThat(new int[] {c.layers(), c.heads(), c.kvHeads(), c.embd(), c.mlpHidden(), c.contextLength(), c.vocabSize()})
                .containsExactly(12, 12, 12, 768, 2048, 1024, 32000);
        assertThat(c.normEps()).isEqualTo(1e-5f);
        assertThat((double) c.parameterCount()).isCloseTo(110e6, within(1e6));
    }

    @Test
    void llama1bIsLlama110mWidenedAndDeepenedToAbout866MParameters() {
        MakeModelCommand preset = new MakeModelCommand();
        preset.preset = MakeModelCommand.Preset.LLAMA_1B;
        // the shape ../shared/reference/quant_mixes describes, spelled as overrides of llama-110m
        MakeModelCommand spelled = new MakeModelCommand();
        spelled.preset = MakeModelCommand.Preset.LLAMA_110M;
        spelled.layers = 14;
        spelled.embd = 2304;
        spelled.heads = 18;
        spelled.kvHeads = 6;
        spelled.context = 2048;
        ModelConfig c = preset.config(preset.preset.vocab);
        assertThat(c).isEqualTo(spelled.config(spelled.preset.vocab));
        assertThat(new int[] {c.layers(), c.heads(), c.kvHeads(), c.embd(), c.mlpHidden(), c.contextLength(), c.vocabSize()})
                .containsExactly(14, 18, 6, 2304, 6144, 2048, 32000);
        assertThat(c.tiedOutput()).isTrue();
        assertThat((double) c.parameterCount()).isCloseTo(866.5e6, within(0.05e6));
        assertThat(jgpt("make-model", "--help").out()).contains("llama-1b");
    }

    @Test
    void wrongOutputsAreOneClearLine() {
        assertError(jgpt("make-model", "--preset", "llama-tiny", "--out", dir.resolve("folder").toString()), "--out NAME.gguf");
        assertError(jgpt("make-model", "--preset", "llama-tiny", "--out", tiny.toString()), "--force");
        assertError(jgpt("make-model", "--preset", "llama-tiny", "--vocab", "100", "--out", dir.resolve("v.gguf").toString()),
                "--vocab must be from 257");
        assertError(jgpt("make-model", "--preset", "tiny", "--dtype", "q8_0", "--out", dir.resolve("q").toString()), "quantized");
        assertError(jgpt("make-model", "--preset", "llama-tiny", "--heads", "3", "--out", dir.resolve("h.gguf").toString()), "heads");
    }

    private static void assertError(Run run, String message) {
        assertThat(run.exit()).isNotZero();
        assertThat(run.err()).contains(message).doesNotContain("Exception");
        assertThat(run.err().strip().lines()).hasSize(1);
    }
}
