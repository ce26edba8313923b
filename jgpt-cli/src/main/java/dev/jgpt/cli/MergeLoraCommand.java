package dev.jgpt.cli;

import dev.jgpt.format.FileType;
import dev.jgpt.lora.LoraFile;
import dev.jgpt.lora.LoraMerge;
import dev.jgpt.convert.QuantizationMix;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "merge-lora", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Merge LoRA adapters into a GGUF model's weights and write the result as a GGUF file.",
            "",
            "Each adapted weight W becomes W + scale * B*A (summed over the adapters), computed on W decoded to floats and "
                    + "encoded again in its own type, or in the type --type gives it (as jgpt quantize does). "
                    + "Every other tensor and all metadata are copied. The result runs without --lora."})
final class MergeLoraCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "BASE", description = "The base model: a GGUF file.")
    Path model;

    @Option(names = "--lora", required = true, paramLabel = "FILE[:SCALE]", converter = ModelOptions.LoraConverter.class,
            description = "A LoRA adapter of the base model, at SCALE (default 1); repeat it for several.")
    List<LoraFile> adapters;

    @Option(names = "--out", required = true, paramLabel = "MERGED", description = "The GGUF file to write (replaced if it exists).")
    Path out;

    @Option(names = "--type", paramLabel = "TYPE", converter = QuantizeCommand.FileTypeConverter.class,
            description = "The file type of the output, as jgpt quantize takes it (F32, F16, Q8_0, Q4_K_M, ...); "
                    + "default: each tensor keeps the base model's type.")
    FileType type;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "Threads for the conversion (default: all cores).")
    Integer threads;

    @Override
    public Integer call() throws Exception {
        ModelOptions.applyThreads(threads);
        long start = System.nanoTime();
        LoraMerge.Summary summary = LoraMerge.write(model, adapters, out, type == null ? null : QuantizationMix.of(type),
                (index, count, entry) -> {});
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.printf(Locale.ROOT, "wrote     %s (%s) in %.1f s%n", out, Units.bytes(Files.size(out)), (System.nanoTime() - start) / 1e9);
        stdout.printf("tensors   %d, %d of them with adapters merged in%n", summary.tensors(), summary.merged());
        stdout.flush();
        return 0;
    }
}
