package dev.jgpt.cli;

import dev.jgpt.JgptException;
import dev.jgpt.convert.QuantizationMix;
import dev.jgpt.format.FileType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

@Command(name = "quantize", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write a model as a GGUF file with quantized weight matrices (Q4_K_M, Q8_0, ...), as llama-quantize does.",
            "",
            "Each tensor gets the block type llama-quantize gives it in that file type: the output matrix (or a token "
                    + "embedding that serves as the output) Q6_K, the K mixes more bits for attn_v and ffn_down in the first "
                    + "and last layers (and every third between), Q2_K and Q3_K_* for attn_output too; IQ4_NL and IQ4_XS "
                    + "(4-bit levels on a non-linear grid) give attn_v Q5_K when 4 or more query heads share a key/value "
                    + "head and ffn_down Q5_K in the first eighth of the layers. Vectors (norms, biases) and the position "
                    + "embedding stay F32; a matrix whose rows are not whole blocks of its type falls back to one whose are "
                    + "(Q2_K, Q3_K -> Q4_0, Q4_K -> Q5_0, Q5_K -> Q5_1, Q6_K -> Q8_0, IQ4_XS -> IQ4_NL, else F16)."})
final class QuantizeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "IN", description = "A GGUF file, or a Hugging Face GPT-2 folder (converted as export-gguf does).")
    Path in;

    @Parameters(index = "1", paramLabel = "OUT", description = "The GGUF file to write (replaced if it exists).")
    Path out;

    @Option(names = "--type", required = true, paramLabel = "TYPE", converter = FileTypeConverter.class,
            description = "Q4_K_M, Q4_K_S, Q5_K_M, Q5_K_S, Q6_K, Q3_K_L, Q3_K_M, Q3_K_S, Q2_K, IQ4_XS, IQ4_NL, Q8_0, Q4_0, Q4_1, "
                    + "Q5_0, Q5_1, F16, BF16 or F32 (any case; Q3_K, Q4_K and Q5_K mean their _M mixes, as in llama-quantize).")
    FileType type;

    @Option(names = "--pure", description = "Every matrix of the type's base block type (Q4_K_M: Q4_K), without the mix's rules.")
    boolean pure;

    @Option(names = "--json", description = "Print the summary as one JSON object.")
    boolean json;

    @Override
    public Integer call() {
        if (!Files.exists(in)) {
            throw new JgptException(in + ": no such file or folder (expected a GGUF file or a model folder)");
        }
        QuantizationMix mix = pure ? QuantizationMix.pure(type) : QuantizationMix.of(type);
        GgufOutput.write(in, out, mix, json, spec.commandLine().getOut(), spec.commandLine().getErr());
        return 0;
    }

    static final class FileTypeConverter implements CommandLine.ITypeConverter<FileType> {
        @Override
        public FileType convert(String value) {
            FileType type = FileType.byName(value);
            if (type == null) {
                throw new CommandLine.TypeConversionException("expected one of " + Arrays.stream(FileType.values())
                        .map(Enum::name).collect(Collectors.joining(", ")) + " but was '" + value + "'");
            }
            return type;
        }
    }
}
