package dev.jgpt.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jgpt.convert.RandomModel;
import dev.jgpt.format.SafeTensors;
import dev.jgpt.format.SafeTensorsWriter;
import dev.jgpt.model.ModelConfig;
import dev.jgpt.tensor.DType;
import dev.jgpt.tensor.Tensor;
import dev.jgpt.tokenizer.ByteLevelBpe;
import dev.jgpt.tokenizer.CharTokenizer;
import dev.jgpt.tokenizer.Tokenizer;
import dev.jgpt.tokenizer.TokenizerJson;
import dev.jgpt.tokenizer.TokenizerLoader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as a user calls it, on a small model that make-model writes. */
class CliTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    static Path model;

    record Run(int exit, String out, String err) {
        JsonNode json() throws IOException {
            return JSON.readTree(out);
        }
    }

    static Run jgpt(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(exit, out.toString(), err.toString());
    }

    @BeforeAll
    static void makeModel() {
        model = dir.resolve("tiny");
        Run run = jgpt("make-model", "--preset", "tiny", "--out", model.toString(), "--seed", "7");
        assertThat(run.exit()).as(run.err()).isZero();
    }

    @Test
    void makeModelWritesAHuggingFaceFolderAndRefusesToOverwrite() {
        assertThat(model.resolve("config.json")).exists();
        assertThat(model.resolve("model.safetensors")).exists();
        assertThat(model.resolve("tokenizer.json")).exists();
        Run again = jgpt("make-model", "--preset", "tiny", "--out", model.toString());
        assertThat(again.exit()).isNotZero();
        assertThat(again.err()).contains("--force").doesNotContain("Exception");
    }

    @Test
    void infoDescribesTheModel() throws IOException {
        JsonNode info = jgpt("info", "--model", model.toString(), "--json").json();
        assertThat(info.get("n_layer").asInt()).isEqualTo(2);
        assertThat(info.get("n_embd").asInt()).isEqualTo(64);
        assertThat(info.get("vocab_size").asInt()).isEqualTo(50257);
        // wte + wpe + 2 layers of 12·64² + 13·64 + final norm
        assertThat(info.get("n_params").asLong()).isEqualTo(50257L * 64 + 256 * 64 + 2 * (12L * 64 * 64 + 13 * 64) + 2 * 64);
        assertThat(jgpt("info", "--model", model.toString()).out()).contains("layers", "context       256 tokens");
    }

    @Test
    void infoSaysHowManyIdsOfAPaddedVocabularyNoTokenHas() throws IOException {
        Path padded = dir.resolve("padded");
        CharTokenizer tokenizer = CharTokenizer.fromCorpus("a padded vocabulary");
        int vocab = tokenizer.vocabSize() + 47;
        RandomModel.write(ModelConfig.gpt2(1, 2, 16, 32, vocab), DType.F32, 3, padded);
        TokenizerJson.write(tokenizer, padded.resolve("tokenizer.json"));
        JsonNode info = jgpt("info", "--model", padded.toString(), "--json").json();
        assertThat(info.get("vocab_size").asInt()).isEqualTo(vocab);
        assertThat(info.get("tokenizer_vocab_size").asInt()).isEqualTo(tokenizer.vocabSize());
        assertThat(info.get("unused_vocab_ids").asInt()).isEqualTo(47);
        assertThat(jgpt("info", "--model", padded.toString()).out())
                .contains("vocabulary    " + vocab + " (" + tokenizer.vocabSize() + " in the tokenizer; 47 ids never sampled)");
        assertThat(jgpt("info", "--model", model.toString()).out()).contains("vocabulary    50257\n");
    }

    @Test
    void checkTensorsNamesTheFirstNonFiniteWeight() throws IOException {
        assertThat(jgpt("info", "--model", model.toString(), "--check-tensors").exit()).isZero();
        Path broken = dir.resolve("nan");
        Files.createDirectories(broken);
        Files.copy(model.resolve("config.json"), broken.resolve("config.json"));
        Files.copy(model.resolve("tokenizer.json"), broken.resolve("tokenizer.json"));
        List<SafeTensorsWriter.Entry> entries = new ArrayList<>();
        try (SafeTensors weights = SafeTensors.open(model.resolve("model.safetensors"))) {
            for (String name : weights.names()) {
                Tensor t = weights.require(name);
                float[] values = t.toFloatArray();
                if (name.equals("h.0.attn.c_proj.weight")) {
                    values[70] = Float.NaN;
                }
                entries.add(SafeTensorsWriter.Entry.of(name, t.dtype(), t.shape(), values));
            }
        }
        SafeTensorsWriter.write(broken.resolve("model.safetensors"), entries, Map.of());
        assertThat(jgpt("info", "--model", broken.toString()).exit()).as("loads without the check").isZero();
        Run run = jgpt("generate", "--model", broken.toString(), "--check-tensors", "--max-tokens", "2", "hi");
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains("tensor 'h.0.attn.c_proj.weight' (F32, shape [64, 64]) holds NaN at element 70 [1, 6]")
                .doesNotContain("internal error");
    }

    /** A file under ../shared (the system property jgpt.shared); skips the test when it is absent. */
    static Path shared(String relative) {
        Path path = Path.of(System.getProperty("jgpt.shared", "../shared")).resolve(relative);
        assumeTrue(Files.exists(path), "reference data not found, skipping: " + path);
        return path;
    }

    @Test
    void tokenizeReadsAVocabularyOnlyGgufFile() throws IOException {
        // from ../shared/tokenizer/README.md: llama.cpp's GPT-2 vocabulary gives " Hello world" → 18435 995
        Path gpt2 = shared("tokenizer/ggml-vocab-gpt-2.gguf");
        assertThat(jgpt("tokenize", "--model", gpt2.toString(), "--json", " Hello world").json().get("ids").toString())
                .isEqualTo("[18435,995]");
        // Llama 2's vocabulary puts BOS before a prompt
        Path llama = shared("tokenizer/ggml-vocab-llama-spm.gguf");
        Run run = jgpt("tokenize", "--model", llama.toString(), "--json", " Hello world");
        assertThat(run.exit()).as(run.err()).isZero();
        int[] expected = TokenizerLoader.fromGguf(llama).encodeSequence(" Hello world");
        assertThat(expected[0]).isEqualTo(1);
        assertThat(JSON.convertValue(run.json().get("ids"), int[].class)).containsExactly(expected);
        assertThat(run.json().get("pieces").get(0).asText()).isEqualTo("<s>");
        Run missing = jgpt("tokenize", "--model", dir.resolve("absent.gguf").toString(), "x");
        assertThat(missing.exit()).isNotZero();
        assertThat(missing.err()).contains("absent.gguf").doesNotContain("Exception");
    }

    @Test
    void tokenizeShowsGpt2Ids() throws IOException {
        // from ../shared/tokenizer/README.md: llama.cpp's GPT-2 vocabulary gives " Hello world" → 18435 995
        JsonNode result = jgpt("tokenize", "--model", model.toString(), "--json", " Hello world").json();
        assertThat(result.get("ids").toString()).isEqualTo("[18435,995]");
        assertThat(result.get("pieces").toString()).isEqualTo("[\" Hello\",\" world\"]");
        assertThat(jgpt("tokenize", "--model", model.toString(), "a\nb").out()).contains("\"\\n\"");
    }

    @Test
    void greedyGenerationIsDeterministicAndStopsAtMaxTokens() throws IOException {
        JsonNode a = jgpt("generate", "--model", model.toString(), "--json", "--temperature", "0", "-n", "6", "Hello").json();
        JsonNode b = jgpt("generate", "--model", model.toString(), "--json", "--temperature", "0", "-n", "6", "Hello").json();
        assertThat(a.get("tokens")).hasSize(6);
        assertThat(a.get("finish_reason").asText()).isEqualTo("length");
        assertThat(a.get("prompt_tokens").toString()).isEqualTo("[15496]");
        assertThat(a.get("tokens")).isEqualTo(b.get("tokens"));
        assertThat(a.get("timings").get("generation_tokens_per_s").asDouble()).isPositive();
    }

    @Test
    void anyMaxTokensStopsWhenTheContextIsFull() throws IOException {
        JsonNode reference = jgpt("generate", "--model", model.toString(), "--json", "--temperature", "0", "-n", "300", "hi").json();
        assertThat(reference.get("finish_reason").asText()).isEqualTo("context_full");
        // the prompt's length plus the first overflowed an int; the second asked for 4 GB of token ids
        for (String n : new String[] {"2147483647", "1000000000"}) {
            Run run = jgpt("generate", "--model", model.toString(), "--json", "--temperature", "0", "-n", n, "hi");
            assertThat(run.exit()).as(run.err()).isZero();
            assertThat(run.json().get("finish_reason").asText()).isEqualTo("context_full");
            assertThat(run.json().get("tokens")).isEqualTo(reference.get("tokens"));
        }
    }

    @Test
    void aSeedMakesSamplingReproducible() throws IOException {
        String[] args = {"generate", "--model", model.toString(), "--json", "--temperature", "1.5", "--top-k", "0",
            "--top-p", "1", "--min-p", "0", "-n", "12", "--seed", "99", "Once"};
        assertThat(jgpt(args).json().get("tokens")).isEqualTo(jgpt(args).json().get("tokens"));
    }

    @Test
    void streamedTextEqualsTheJsonText() throws IOException {
        String[] common = {"generate", "--model", model.toString(), "--temperature", "0", "-n", "10", "The"};
        Run streamed = jgpt(common);
        String[] withJson = java.util.Arrays.copyOf(common, common.length + 1);
        withJson[common.length] = "--json";
        assertThat(streamed.out()).isEqualTo(jgpt(withJson).json().get("text").asText() + System.lineSeparator());
        assertThat(streamed.err()).contains("tokens/s", "finish: length");
    }

    @Test
    void contextFullStopsAndSaysSo() throws IOException {
        Run run = jgpt("generate", "--model", model.toString(), "--temperature", "0", "-n", "300", "Hi");
        assertThat(run.exit()).isZero();
        assertThat(run.err()).contains("context window (256 tokens) is full");
        JsonNode slid = jgpt("generate", "--model", model.toString(), "--json", "--temperature", "0", "-n", "300",
                "--context-overflow", "slide", "Hi").json();
        assertThat(slid.get("tokens")).hasSize(300);
        assertThat(slid.get("finish_reason").asText()).isEqualTo("length");
    }

    @Test
    void scoreReportsLogprobsLossAndPerplexity() throws IOException {
        JsonNode score = jgpt("score", "--model", model.toString(), "--json", "--tokens", "15496,11,616,1438,318").json();
        assertThat(score.get("logprobs")).hasSize(4);
        assertThat(score.get("top_tokens")).hasSize(4);
        double sum = 0;
        for (JsonNode lp : score.get("logprobs")) {
            assertThat(lp.asDouble()).isNegative();
            sum += lp.asDouble();
        }
        assertThat(score.get("loss").asDouble()).isCloseTo(-sum / 4, within(1e-9));
        assertThat(score.get("perplexity").asDouble()).isCloseTo(Math.exp(-sum / 4), within(1e-6));
        assertThat(jgpt("score", "--model", model.toString(), "--text", "Hello, my name is").out()).contains("perplexity");
    }

    @Test
    void scoreInChunksCountsTheSecondHalfOfEachChunk() throws IOException {
        String tokens = "15496,11,616,1438,318,257,1332,13,632,373,1049,284,1826,345,0,1";
        JsonNode whole = jgpt("score", "--model", model.toString(), "--json", "--tokens", tokens).json();
        JsonNode chunked = jgpt("score", "--model", model.toString(), "--json", "--tokens", tokens, "--chunk", "4").json();
        // 16 tokens in 4 chunks of 4: each counts the prediction of its last token only
        assertThat(chunked.get("positions").toString()).isEqualTo("[3,7,11,15]");
        // the first chunk starts where the whole text does, so its prediction is the same
        assertThat(chunked.get("logprobs").get(0).asDouble()).isCloseTo(whole.get("logprobs").get(2).asDouble(), within(1e-5));
        assertOneLineError(jgpt("score", "--model", model.toString(), "--tokens", tokens, "--chunk", "9"), "at least 18 tokens");
    }

    /** The acceptance line: llama-perplexity -c 128 prints 3.4327 on this text with this model. */
    @Test
    void scoreInChunksOfATextFilePrintsLlamaPerplexity() {
        Path model = shared("models/stories260K.gguf");
        Path text = shared("reference/stories_eval.txt");
        Run run = jgpt("score", "--model", model.toString(), "--chunk", "128", "--file", text.toString());
        assertThat(run.exit()).isZero();
        String last = run.out().strip().lines().reduce((a, b) -> b).orElseThrow();
        assertThat(last).startsWith("loss ").contains("perplexity 3.43");
        double perplexity = Double.parseDouble(last.replaceAll(".*perplexity ([0-9.]+).*", "$1"));
        assertThat(perplexity).isCloseTo(3.4327, within(3.4327 * 0.001));
    }

    /** ../shared/models/README.md: stories260K has 8 query heads sharing 4 key/value heads. */
    @Test
    void infoShowsGroupedQueryAttention() throws IOException {
        Path model = shared("models/stories260K.gguf");
        JsonNode info = jgpt("info", "--model", model.toString(), "--json").json();
        assertThat(info.get("n_head").asInt()).isEqualTo(8);
        assertThat(info.get("n_head_kv").asInt()).isEqualTo(4);
        assertThat(jgpt("info", "--model", model.toString()).out()).contains("4 key/value heads");
    }

    @Test
    void benchPrintsLlamaBenchFields() throws IOException {
        JsonNode rows = jgpt("bench", "--model", model.toString(), "-p", "16", "-n", "4", "-r", "2", "--no-bandwidth", "--json").json();
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0).get("test").asText()).isEqualTo("pp16");
        assertThat(rows.get(1).get("test").asText()).isEqualTo("tg4");
        for (JsonNode row : rows) {
            assertThat(row.get("avg_ts").asDouble()).isPositive();
            assertThat(row.has("stddev_ts")).isTrue();
            assertThat(row.get("n_threads").asInt()).isPositive();
            assertThat(row.get("model_size").asLong()).isEqualTo(Files.size(model.resolve("model.safetensors")) - headerBytes());
            assertThat(row.get("n_params").asLong()).isPositive();
        }
        assertThat(jgpt("bench", "--model", model.toString(), "-p", "8", "-n", "2", "-r", "1", "--no-bandwidth").out())
                .contains("pp8", "tg2", "t/s");
    }

    /** The shipped model has F16 matrices: its decode time goes mostly to their matvecs, and the shares add up to the whole. */
    @Test
    void benchProfileSaysWhereTheTimeGoes() throws IOException {
        JsonNode rows = jgpt("bench", "-p", "0", "-n", "64", "-r", "3", "--no-bandwidth", "--profile", "--json").json();
        JsonNode profile = rows.get(0).get("profile");
        assertThat(profile).isNotEmpty();
        double total = 0;
        double f16 = 0;
        for (JsonNode share : profile) {
            total += share.get("share").asDouble();
            if (share.get("operation").asText().startsWith("matvec F16")) {
                f16 += share.get("share").asDouble();
            }
        }
        assertThat(total).isCloseTo(1.0, within(1e-9));
        assertThat(f16).isGreaterThan(0.2);
        assertThat(jgpt("bench", "-p", "16", "-n", "16", "-r", "2", "--no-bandwidth", "--profile").out())
                .contains("where pp16's time goes", "where tg16's time goes", "matvec F16");
    }

    @Test
    void badInputIsOneClearLineAndANonZeroExit() {
        assertOneLineError(jgpt("generate", "--model", model.toString(), "--temperature", "3", "Hi"), "temperature");
        assertOneLineError(jgpt("generate", "--model", dir.resolve("nowhere").toString(), "Hi"), "no such model folder");
        assertOneLineError(jgpt("score", "--model", model.toString(), "--tokens", "1,x"), "--tokens");
        assertOneLineError(jgpt("score", "--model", model.toString(), "--tokens", "1,99999999"), "outside the vocabulary");
        Run unknownOption = jgpt("generate", "--bogus", "Hi");
        assertThat(unknownOption.exit()).isNotZero();
        assertThat(unknownOption.err()).contains("--bogus").contains("--help");
    }

    @Test
    void trainTokenizerWritesATokenizerJsonThatLoadsBack() throws IOException {
        String text = "The quick brown fox jumps over the lazy dog. Über 3 Füchse, 42 Hunde!\n".repeat(40) + "naïve café 😀\n";
        Path corpus = Files.writeString(dir.resolve("corpus.txt"), text);
        Path out = dir.resolve("trained-bpe");
        JsonNode summary = jgpt("train-tokenizer", "--data", corpus.toString(), "--vocab-size", "300", "--out", out.toString(), "--json").json();
        Tokenizer loaded = TokenizerLoader.fromDirectory(out);
        assertThat(loaded).isInstanceOf(ByteLevelBpe.class);
        assertThat(loaded.decode(loaded.encode(text))).isEqualTo(text);
        assertThat(summary.get("type").asText()).isEqualTo("bpe");
        assertThat(summary.get("vocab_size").asInt()).isEqualTo(300).isEqualTo(loaded.vocabSize());
        assertThat(summary.get("merges").asInt()).isEqualTo(300 - 257);
        assertThat(summary.get("eos_id").asInt()).isEqualTo(299);
        assertThat(summary.get("corpus_characters").asLong()).isEqualTo(text.codePointCount(0, text.length()));
        assertThat(summary.get("corpus_tokens").asInt()).isEqualTo(loaded.encode(text).length);
        assertThat(summary.get("characters_per_token").asDouble())
                .isCloseTo(summary.get("corpus_characters").asDouble() / summary.get("corpus_tokens").asDouble(), within(1e-9))
                .isGreaterThan(2);
        assertThat(summary.get("tokenizer_json").asText()).isEqualTo(out.resolve("tokenizer.json").toString());

        assertOneLineError(jgpt("train-tokenizer", "--data", corpus.toString(), "--vocab-size", "300", "--out", out.toString()), "--force");
        Run again = jgpt("train-tokenizer", "--data", corpus.toString(), "--vocab-size", "260", "--out", out.toString(), "--force");
        assertThat(again.exit()).as(again.err()).isZero();
        assertThat(again.out()).contains("260 tokens", "3 merges", "characters per token", out.resolve("tokenizer.json").toString());
        assertThat(again.err()).as("no progress bar without a terminal").isEmpty();
        assertThat(jgpt("train-tokenizer", "--data", corpus.toString(), "--vocab-size", "100000", "--out", out.toString(), "--force").out())
                .contains("(not 100000: no pair of tokens was left to merge)");

        Path chars = dir.resolve("trained-char");
        JsonNode charSummary = jgpt("train-tokenizer", "--data", corpus.toString(), "--type", "char", "--out", chars.toString(), "--json").json();
        Tokenizer charTokenizer = TokenizerLoader.fromDirectory(chars);
        assertThat(charTokenizer).isInstanceOf(CharTokenizer.class);
        assertThat(charSummary.get("vocab_size").asInt()).isEqualTo((int) text.codePoints().distinct().count());
        assertThat(charSummary.get("corpus_tokens").asLong()).isEqualTo(charSummary.get("corpus_characters").asLong());
        assertThat(charSummary.get("eos_id").isNull()).isTrue();
    }

    @Test
    void trainTokenizerErrorsAreOneLine() throws IOException {
        Path corpus = Files.writeString(dir.resolve("small-corpus.txt"), "some text");
        String out = dir.resolve("never-written").toString();
        assertOneLineError(jgpt("train-tokenizer", "--data", dir.resolve("missing.txt").toString(), "--vocab-size", "300", "--out", out),
                "no such file");
        Path empty = Files.writeString(dir.resolve("empty.txt"), "");
        assertOneLineError(jgpt("train-tokenizer", "--data", empty.toString(), "--vocab-size", "300", "--out", out), "empty");
        Path latin1 = Files.write(dir.resolve("latin1.txt"), new byte[] {'c', 'a', 'f', (byte) 0xE9, '\n'});
        assertOneLineError(jgpt("train-tokenizer", "--data", latin1.toString(), "--vocab-size", "300", "--out", out), "offset 3");
        assertOneLineError(jgpt("train-tokenizer", "--data", corpus.toString(), "--vocab-size", "100", "--out", out), "at least 257");
        assertOneLineError(jgpt("train-tokenizer", "--data", corpus.toString(), "--out", out), "--vocab-size");
        assertOneLineError(jgpt("train-tokenizer", "--data", corpus.toString(), "--type", "char", "--vocab-size", "300", "--out", out),
                "does not apply");
        assertOneLineError(jgpt("train-tokenizer", "--data", dir.toString(), "--vocab-size", "300", "--out", out), "folder");
        assertThat(Path.of(out)).doesNotExist();
    }

    @Test
    void withoutAModelTheShippedShakespeareModelWrites() throws IOException {
        JsonNode g = jgpt("generate", "--json", "--temperature", "0", "-n", "12", "ROMEO:").json();
        assertThat(g.get("tokens")).hasSize(12);
        assertThat(g.get("text").asText()).isNotBlank();
        JsonNode info = jgpt("info", "--json").json();
        assertThat(info.get("n_layer").asInt()).isEqualTo(4);
        assertThat(info.get("weight_bytes_by_dtype").has("F16")).isTrue();
    }

    @Test
    void everyCommandHasHelp() {
        for (String command : new String[] {"generate", "tokenize", "score", "info", "bench", "make-model", "train-tokenizer"}) {
            Run help = jgpt(command, "--help");
            assertThat(help.exit()).isZero();
            assertThat(help.out()).contains("Usage: jgpt " + command);
        }
    }

    private static void assertOneLineError(Run run, String mentions) {
        assertThat(run.exit()).isNotZero();
        assertThat(run.err()).contains(mentions).doesNotContain("Exception", "\tat ");
        assertThat(run.err().strip().lines()).hasSize(1);
    }

    /** Bytes before the tensor data in the model's safetensors file. */
    private static long headerBytes() throws IOException {
        try (var in = Files.newInputStream(model.resolve("model.safetensors"))) {
            byte[] length = in.readNBytes(8);
            return 8 + java.nio.ByteBuffer.wrap(length).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        }
    }
}
