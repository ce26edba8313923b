package dev.jgpt.cli;

import dev.jgpt.JgptException;
import dev.jgpt.model.ModelConfig;
import dev.jgpt.model.ModelFiles;
import dev.jgpt.model.RandomModel;
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
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "make-model", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write a randomly initialised GPT-2-shaped model with the GPT-2 tokenizer,",
            "for benchmarks and tests without a download (its text is noise until it is trained)."})
final class MakeModelCommand implements Callable<Integer> {
    /** GPT-2's published shapes. */
    enum Preset {
        TINY(2, 2, 64, 256),
        GPT2_124M(12, 12, 768, 1024),
        GPT2_MEDIUM(24, 16, 1024, 1024),
        GPT2_LARGE(36, 20, 1280, 1024),
        GPT2_XL(48, 25, 1600, 1024);

        final int layers;
        final int heads;
        final int embd;
        final int context;

        Preset(int layers, int heads, int embd, int context) {
            this.layers = layers;
            this.heads = heads;
            this.embd = embd;
            this.context = context;
        }

        String cliName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private static final String GPT2_RANKS = "/com/knuddels/jtokkit/r50k_base.tiktoken";

    @Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder to write the model to.")
    Path out;

    @Option(names = "--preset", paramLabel = "NAME", defaultValue = "gpt2-124m",
            description = "Shape: tiny, gpt2-124m, gpt2-medium, gpt2-large, gpt2-xl (default: ${DEFAULT-VALUE}).",
            converter = PresetConverter.class)
    Preset preset;

    @Option(names = "--layers", paramLabel = "N", description = "Override the preset's number of layers.")
    Integer layers;

    @Option(names = "--heads", paramLabel = "N", description = "Override the preset's number of attention heads.")
    Integer heads;

    @Option(names = "--embd", paramLabel = "N", description = "Override the preset's embedding width.")
    Integer embd;

    @Option(names = "--ctx", paramLabel = "N", description = "Override the preset's context window.")
    Integer context;

    @Option(names = "--dtype", paramLabel = "TYPE", defaultValue = "F32", description = "Weight type: F32, F16 or BF16 (default: ${DEFAULT-VALUE}).")
    DType dtype;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1234", description = "Seed of the random weights (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--force", description = "Overwrite a model already in the folder.")
    boolean force;

    @Override
    public Integer call() {
        if (!force && Files.exists(out.resolve(ModelFiles.WEIGHTS))) {
            throw new JgptException(out + " already holds a model; pass --force to overwrite it");
        }
        ByteLevelBpe tokenizer = gpt2Tokenizer();
        ModelConfig config = ModelConfig.gpt2(
                layers != null ? layers : preset.layers, heads != null ? heads : preset.heads,
                embd != null ? embd : preset.embd, context != null ? context : preset.context, tokenizer.vocabSize());
        PrintWriter err = spec.commandLine().getErr();
        err.printf("jgpt: writing a random %s model (%s parameters, %d layers, %d heads, %d dims, context %d, %s) to %s ...%n",
                config.architecture(), Units.count(config.parameterCount()), config.layers(), config.heads(), config.embd(),
                config.contextLength(), dtype, out);
        err.flush();
        long start = System.nanoTime();
        RandomModel.write(config, dtype, seed, out);
        TokenizerJson.write(tokenizer, out.resolve("tokenizer.json"));
        err.printf("jgpt: done in %.1f s%n", (System.nanoTime() - start) / 1e9);
        err.flush();
        return 0;
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
