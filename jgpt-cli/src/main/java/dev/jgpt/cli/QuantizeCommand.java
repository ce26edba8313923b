package dev.jgpt.cli;

import dev.jgpt.JgptException;
import dev.jgpt.tensor.DType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "quantize", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Write a model as a GGUF file with quantized weight matrices (q8_0, q4_0, q4_k, ...).",
        description = {"Write a model as a GGUF file whose weight matrices (token embedding and output included) are of one type,",
            "as llama-quantize does. Vectors (norms, biases) and the position embedding stay F32; a matrix whose rows are not",
            "whole blocks of the type falls back to one whose are (Q4_K -> Q5_0, Q5_K -> Q5_1, Q6_K -> Q8_0, else F16)."})
final class QuantizeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "IN", description = "A GGUF file, or a Hugging Face GPT-2 folder (converted as export-gguf does).")
    Path in;

    @Parameters(index = "1", paramLabel = "OUT", description = "The GGUF file to write (replaced if it exists).")
    Path out;

    @Option(names = "--type", required = true, paramLabel = "TYPE",
            description = "q8_0, q4_0, q4_1, q5_0, q5_1, q4_k, q5_k, q6_k, f16, bf16 or f32.")
    DType type;

    @Option(names = "--json", description = "Print the summary as one JSON object.")
    boolean json;

    @Override
    public Integer call() {
        if (!Files.exists(in)) {
            throw new JgptException(in + ": no such file or folder (expected a GGUF file or a model folder)");
        }
        GgufOutput.write(in, out, type, json, spec.commandLine().getOut(), spec.commandLine().getErr());
        return 0;
    }
}
