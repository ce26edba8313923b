package dev.jgpt.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jgpt.FreshJvm;
import dev.jgpt.JgptException;
import dev.jgpt.TinyModels;
import dev.jgpt.generate.GenerationSettings;
import dev.jgpt.generate.LanguageModel;
import dev.jgpt.generate.TokenListener;
import dev.jgpt.sampling.SamplerSettings;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A JVM started without the Vector API module: opening a model says how to start it, in one sentence. */
class VectorApiTest {
    @TempDir
    Path dir;

    @Test
    void thisJvmHasIt() {
        assertThat(VectorApi.available()).isTrue();
    }

    @Test
    void withoutTheModuleOpeningAModelSaysHowToStartJava() throws Exception {
        Path model = TinyModels.gpt2Folder(dir.resolve("gpt2"), DType.F32);
        assertThat(FreshJvm.lastLineWithoutVectorApi(OpenAndGenerate.class, model.toString()))
                .isEqualTo("JgptException: " + VectorApi.MISSING);
        assertThat(VectorApi.MISSING).contains("--add-modules jdk.incubator.vector").doesNotContain("\n");
    }

    /** Opens the model in args[0] and writes two tokens; says the JgptException's message if one ends it. */
    public static final class OpenAndGenerate {
        public static void main(String[] args) {
            try (LanguageModel lm = LanguageModel.open(Path.of(args[0]))) {
                lm.generate("the", GenerationSettings.of(2, SamplerSettings.greedy()), TokenListener.NONE);
                System.out.println("generated");
            } catch (JgptException e) {
                System.out.println("JgptException: " + e.getMessage());
            }
        }
    }
}
