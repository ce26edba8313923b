package dev.jgpt.spark;

import dev.jgpt.convert.GgufExport;
import dev.jgpt.convert.QuantizationMix;
import dev.jgpt.tensor.DType;
import dev.jgpt.generate.GenerationSettings;
import dev.jgpt.generate.LanguageModel;
import dev.jgpt.generate.TokenListener;
import dev.jgpt.sampling.SamplerSettings;
import java.nio.file.Path;

/** The model jgpt ships (a small GPT-2 folder, in the CLI's resources), and what jgpt-core makes of it in-process: the references the functions must equal. */
final class TestModels {
    static final Path SHIPPED = Path.of("../jgpt-cli/src/main/resources/dev/jgpt/cli/default-model").toAbsolutePath().normalize();

    private TestModels() {
    }

    static LanguageModel open() {
        return LanguageModel.open(SHIPPED);
    }

    /** The shipped model as one GGUF file (float32), as a job ships it with --files. */
    static Path gguf(Path folder) {
        Path file = folder.resolve("shipped.gguf");
        try (GgufExport export = GgufExport.open(SHIPPED)) {
            export.write(file, QuantizationMix.pure(DType.F32), (i, n, e) -> { });
        }
        return file;
    }

    /** What {@code jgpt generate --temperature 0 -n maxTokens} writes after {@code prompt}. */
    static String greedy(LanguageModel model, String prompt, int maxTokens) {
        return model.generate(prompt, GenerationSettings.of(maxTokens, SamplerSettings.greedy()), TokenListener.NONE).text();
    }
}
