package dev.jgpt.cli;

import dev.jgpt.JgptException;
import dev.jgpt.convert.QuantizationMix;
import dev.jgpt.tensor.DType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "export-gguf", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write a Hugging Face GPT-2 folder as a GGUF file that llama.cpp runs.",
            "",
            "The folder (config.json, model.safetensors, tokenizer.json) becomes llama.cpp's gpt2 architecture. "
                    + "Vectors and the position embedding stay F32."})
final class ExportGgufCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR", description = "The model folder.")
    Path in;

    @Parameters(index = "1", paramLabel = "OUT", description = "The GGUF file to write (replaced if it exists).")
    Path out;

    @Option(names = "--dtype", paramLabel = "TYPE", defaultValue = "F32",
            description = "Type of the weight matrices: f32, f16 or bf16 (default: ${DEFAULT-VALUE}; jgpt quantize for smaller types).")
    DType dtype;

    @Option(names = "--json", description = "Print the summary as one JSON object.")
    boolean json;

    @Override
    public Integer call() {
        if (dtype.isQuantized()) {
            throw new JgptException("--dtype " + dtype + " is quantized: export-gguf writes f32, f16 or bf16; use jgpt quantize "
                    + in + " " + out + " --type " + dtype.name().toLowerCase(Locale.ROOT));
        }
        if (!Files.isDirectory(in)) {
            throw new JgptException(in + " is not a model folder (config.json, model.safetensors, tokenizer.json)"
                    + (Files.isRegularFile(in) ? "; to re-type a GGUF file use jgpt quantize" : ""));
        }
        GgufOutput.write(in, out, QuantizationMix.pure(dtype), json, spec.commandLine().getOut(), spec.commandLine().getErr());
        return 0;
    }
}
