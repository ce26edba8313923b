package dev.jgpt.cli;

import dev.jgpt.JgptException;
import dev.jgpt.convert.GgufModelWriter;
import dev.jgpt.convert.RandomModel;
import dev.jgpt.format.GgufNames;
import dev.jgpt.format.GgufValue;
import dev.jgpt.model.Architecture;
import dev.jgpt.model.ModelConfig;
import dev.jgpt.model.Rope;
import dev.jgpt.model.load.ModelFiles;
import dev.jgpt.tensor.DType;
import dev.jgpt.tokenizer.ByteLevelBpe;
import dev.jgpt.tokenizer.Gpt2Tokenizers;
import dev.jgpt.tokenizer.TokenizerJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

@Command(name = "make-model", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write a randomly initialised GPT-2- or Llama-shaped model with GPT-2's tokenizer, for benchmarks "
            + "and tests without a download (its text is noise until it is trained).",
            "An --out ending in .gguf is one GGUF file (any preset); else a Hugging Face folder (GPT-2 presets).",
            "Llama presets: llama-tiny (2 layers, 4 heads sharing 2 KV heads, 64 dims, vocabulary 512), llama-110m "
                    + "(llama2.c's stories110M: 12 layers, 12 heads, 768 dims, context 1024, vocabulary 32000), llama-1b (866.5 M "
                    + "parameters for speed work: 14 layers, 18 heads sharing 6 KV heads, 2304 dims, FFN 6144, context 2048, "
                    + "vocabulary 32000). A vocabulary "
                    + "smaller than GPT-2's is its first N-1 tokens with their merges, and <|endoftext|> (BOS and EOS) as id N-1."})
final class MakeModelCommand implements Callable<Integer> {
    enum Family { GPT2, LLAMA }

    /**
     * GPT-2's published shapes; llama-110m is llama2.c's stories110M (tied embeddings, as
     * trained), llama-tiny a stories260K-like shape with grouped-query attention, llama-1b
     * stories110M widened and deepened to a 1B-class model with grouped-query attention (the
     * size speed is measured on). A vocabulary of 0 is the whole GPT-2 tokenizer's.
     */
    enum Preset {
        TINY(Family.GPT2, 2, 2, 2, 64, 256, 0, true),
        GPT2_124M(Family.GPT2, 12, 12, 12, 768, 1024, 0, true),
        GPT2_MEDIUM(Family.GPT2, 24, 16, 16, 1024, 1024, 0, true),
        GPT2_LARGE(Family.GPT2, 36, 20, 20, 1280, 1024, 0, true),
        GPT2_XL(Family.GPT2, 48, 25, 25, 1600, 1024, 0, true),
        LLAMA_TINY(Family.LLAMA, 2, 4, 2, 64, 256, 512, false),
        LLAMA_110M(Family.LLAMA, 12, 12, 12, 768, 1024, 32000, true),
        LLAMA_1B(Family.LLAMA, 14, 18, 6, 2304, 2048, 32000, true);

        final Family family;
        final int layers;
        final int heads;
        final int kvHeads;
        final int embd;
        final int context;
        final int vocab;
        final boolean tied;

        Preset(Family family, int layers, int heads, int kvHeads, int embd, int context, int vocab, boolean tied) {
            this.family = family;
            this.layers = layers;
            this.heads = heads;
            this.kvHeads = kvHeads;
            this.embd = embd;
            this.context = context;
            this.vocab = vocab;
            this.tied = tied;
        }

        String cliName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private static final String GPT2_RANKS = "/com/knuddels/jtokkit/r50k_base.tiktoken";

    @Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "PATH",
            description = "Where to write the model: a FILE.gguf, or a folder (GPT-2 presets).")
    Path out;

    @Option(names = "--preset", paramLabel = "NAME", defaultValue = "gpt2-124m",
            description = "Shape: tiny, gpt2-124m, gpt2-medium, gpt2-large, gpt2-xl, llama-tiny, llama-110m, llama-1b (default: ${DEFAULT-VALUE}).",
            converter = PresetConverter.class)
    Preset preset;

    @Option(names = "--layers", paramLabel = "N", description = "Override the preset's number of layers.")
    Integer layers;

    @Option(names = "--heads", paramLabel = "N", description = "Override the preset's number of attention heads.")
    Integer heads;

    @Option(names = "--kv-heads", paramLabel = "N", description = "Override the number of key/value heads (Llama presets; default: the preset's, or --heads when given).")
    Integer kvHeads;

    @Option(names = "--embd", paramLabel = "N", description = "Override the preset's embedding width (the MLP follows: 4x, or 8/3x for SwiGLU).")
    Integer embd;

    @Option(names = "--ctx", paramLabel = "N", description = "Override the preset's context window.")
    Integer context;

    @Option(names = "--vocab", paramLabel = "N", description = "Override the preset's vocabulary: GPT-2's first N-1 tokens and <|endoftext|> as id N-1.")
    Integer vocab;

    @Option(names = "--tied", negatable = true, description = "Whether the unembedding is the token embedding (default: the preset's).")
    Boolean tied;

    @Option(names = "--dtype", paramLabel = "TYPE", defaultValue = "F32",
            description = "Weight type: F32, F16 or BF16; in a GGUF file also Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, "
                    + "IQ4_NL, IQ4_XS (matrices whose rows do not fit fall back as in jgpt quantize; vectors stay F32) (default: ${DEFAULT-VALUE}).")
    DType dtype;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1234", description = "Seed of the random weights (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--force", description = "Overwrite a model already there.")
    boolean force;

    @Override
    public Integer call() {
        boolean gguf = out.getFileName() != null && out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gguf");
        checkOutput(gguf);
        ByteLevelBpe full = gpt2Tokenizer();
        int vocabSize = vocab != null ? vocab : preset.vocab > 0 ? preset.vocab : full.vocabSize();
        if (vocabSize < 257 || vocabSize > full.vocabSize()) {
            throw new JgptException("--vocab must be from 257 (every byte and <|endoftext|>) to " + full.vocabSize() + ", got " + vocabSize);
        }
        ByteLevelBpe tokenizer = vocabSize == full.vocabSize() ? full : Gpt2Tokenizers.firstTokens(full, vocabSize);
        ModelConfig config = config(vocabSize);
        PrintWriter err = spec.commandLine().getErr();
        err.printf("jgpt: writing a random %s model (%s parameters, %d layers, %d heads%s, %d dims, context %d, vocabulary %d, %s) to %s ...%n",
                config.architecture(), Units.count(config.parameterCount()), config.layers(), config.heads(),
                config.kvHeads() != config.heads() ? " (" + config.kvHeads() + " KV)" : "", config.embd(),
                config.contextLength(), config.vocabSize(), dtype, out);
        err.flush();
        long start = System.nanoTime();
        if (gguf) {
            GgufModelWriter.Contents contents = RandomModel.gguf(config, dtype, seed);
            contents.metadata().put(GgufNames.NAME, GgufValue.string(preset.cliName()));
            contents.metadata().putAll(GgufModelWriter.vocabulary(tokenizer, config.vocabSize()));
            try (ProgressBar bar = new ProgressBar(err, "jgpt: writing", System.console() != null)) {
                contents.write(out, (index, count, entry) -> bar.update(index + 1, count, "tensors"));
            }
        } else {
            RandomModel.write(config, dtype, seed, out);
            TokenizerJson.write(tokenizer, out.resolve("tokenizer.json"));
        }
        err.printf("jgpt: done in %.1f s%n", (System.nanoTime() - start) / 1e9);
        err.flush();
        return 0;
    }

    private void checkOutput(boolean gguf) {
        if (gguf) {
            if (Files.isDirectory(out)) {
                throw new JgptException(out + " is a folder; a GGUF model is one file");
            }
            if (!force && Files.exists(out)) {
                throw new JgptException(out + " already exists; pass --force to overwrite it");
            }
            return;
        }
        if (preset.family != Family.GPT2) {
            throw new JgptException("a " + preset.cliName() + " model is written as a GGUF file: pass --out NAME.gguf");
        }
        if (dtype.isQuantized()) {
            throw new JgptException("--dtype " + dtype + " is quantized: a folder holds F32, F16 or BF16; pass --out NAME.gguf");
        }
        if (!force && Files.exists(out.resolve(ModelFiles.WEIGHTS))) {
            throw new JgptException(out + " already holds a model; pass --force to overwrite it");
        }
    }

    /** The preset's shape with the overrides given. */
    ModelConfig config(int vocabSize) {
        int l = layers != null ? layers : preset.layers;
        int h = heads != null ? heads : preset.heads;
        int e = embd != null ? embd : preset.embd;
        int ctx = context != null ? context : preset.context;
        boolean tiedOutput = tied != null ? tied : preset.tied;
        if (preset.family == Family.GPT2) {
            if (kvHeads != null || !tiedOutput) {
                throw new JgptException("a GPT-2 model has as many key/value heads as heads and a tied unembedding");
            }
            return ModelConfig.gpt2(l, h, e, ctx, vocabSize);
        }
        int kv = kvHeads != null ? kvHeads : heads != null ? h : preset.kvHeads;
        if (h <= 0 || e % h != 0 || (e / h) % 2 != 0) {
            throw new JgptException("model config: the embedding (" + e + ") must split into " + h
                    + " heads of an even size (rotary positions turn pairs)");
        }
        Architecture llama = Architecture.llama(Rope.of(Rope.Style.NORM, e / h, 10000));
        return new ModelConfig(llama, l, h, kv, e, swigluHidden(e), ctx, vocabSize, 1e-5f, tiedOutput);
    }

    /** llama2.c's SwiGLU width: 2/3 of 4·embd (the same parameters as a 4x GELU MLP), rounded up to a multiple of 4. */
    static int swigluHidden(int embd) {
        int hidden = 2 * (4 * embd) / 3;
        return (hidden + 3) / 4 * 4;
    }

    /** GPT-2's tokenizer, rebuilt from its byte-pair ranks (shipped in the jtokkit library). */
    private static ByteLevelBpe gpt2Tokenizer() {
        try (InputStream ranks = MakeModelCommand.class.getResourceAsStream(GPT2_RANKS)) {
            if (ranks == null) {
                throw new JgptException("GPT-2's tokenizer ranks are missing from the jar (" + GPT2_RANKS + ")");
            }
            return Gpt2Tokenizers.fromTiktokenResource(ranks);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static final class PresetConverter implements CommandLine.ITypeConverter<Preset> {
        @Override
        public Preset convert(String value) {
            for (Preset p : Preset.values()) {
                if (p.cliName().equals(value.trim().toLowerCase(Locale.ROOT))) {
                    return p;
                }
            }
            throw new CommandLine.TypeConversionException("expected one of " + Arrays.stream(Preset.values())
                    .map(Preset::cliName).collect(Collectors.joining(", ")) + " but was '" + value + "'");
        }
    }
}
