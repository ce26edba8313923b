package dev.jgpt.cli;

import dev.jgpt.JgptException;
import dev.jgpt.format.TensorScan;
import dev.jgpt.generate.LanguageModel;
import dev.jgpt.lora.LoraFile;
import dev.jgpt.tensor.Parallel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Options every command that runs a model shares: which model, the LoRA adapters joined to it,
 * whether to check its weights, how many threads.
 */
final class ModelOptions {
    @Option(names = {"-m", "--model"}, paramLabel = "MODEL",
            description = "A GGUF file (llama, qwen2 or gpt2; F32, F16, BF16 or quantized), a model folder in Hugging Face layout "
                    + "(config.json, model.safetensors, tokenizer.json or vocab.json + merges.txt), or a GGUF model on the Hugging Face Hub "
                    + "by name (OWNER/REPO[:QUANT] or OWNER/REPO/FILE.gguf), pulled on first use as jgpt pull does; a path that exists "
                    + "wins over a name; default: the small Shakespeare model jgpt ships.")
    String model;

    private Path path;

    @Option(names = "--lora", paramLabel = "FILE[:SCALE]", converter = LoraConverter.class,
            description = "A LoRA adapter (a GGUF file as llama.cpp's convert_lora_to_gguf.py writes it) applied at SCALE "
                    + "(default 1; 0 leaves it out); repeat it for several adapters, whose changes add up.")
    List<LoraFile> adapters = new ArrayList<>();

    @Option(names = "--check-tensors",
            description = "Check every weight for NaN and infinite values when the model is loaded (as llama.cpp's option).")
    boolean checkTensors;

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "Threads for the kernels (default: all ${sys:jgpt.cores} cores).")
    Integer threads;

    static {
        System.setProperty("jgpt.cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
    }

    /**
     * Takes the model from a command's MODEL argument (as Ollama's run does), when there is one.
     *
     * @throws ParameterException when --model names one too
     */
    void orArgument(String argument) {
        if (argument != null && model != null) {
            throw new ParameterException(command.commandLine(), "the model is given twice, as MODEL and with --model: give it once");
        }
        if (argument != null) {
            model = argument;
        }
    }

    /** Where the model --model names is, pulled from the hub first if need be; null without --model (the shipped model). */
    Path path() {
        if (model != null && path == null) {
            path = HubModels.locate(model, command.commandLine().getErr());
        }
        return path;
    }

    /** Opens the model, after sizing the thread pool; with --check-tensors, scans its weights before handing it out. */
    LanguageModel open() {
        applyThreads();
        Path folder = model != null ? path() : DefaultModel.folder().orElseThrow(() -> new JgptException(
                "no model given and this build ships none: pass --model PATH "
                        + "(make one with: jgpt make-model --preset gpt2-124m --out models/gpt2-124m)"));
        LanguageModel lm = LanguageModel.open(folder, adapters);
        if (checkTensors) {
            try (ProgressBar bar = new ProgressBar(command.commandLine().getErr(), "jgpt: checking tensors", System.console() != null)) {
                TensorScan.checkFinite(lm.files().tensors(), (done, total) -> bar.update(done, total, "tensors"));
            } catch (RuntimeException e) {
                lm.close();
                throw e;
            }
        }
        return lm;
    }

    void applyThreads() {
        applyThreads(threads);
    }

    /** Sizes the kernels' thread pool ({@code null}: leave it at one thread per core). */
    static void applyThreads(Integer threads) {
        if (threads != null) {
            if (threads < 1) {
                throw new JgptException("--threads must be at least 1, got " + threads);
            }
            Parallel.setThreads(threads);
        }
    }

    /** {@code FILE} or {@code FILE:SCALE} ({@link LoraFile#parse}). */
    static final class LoraConverter implements CommandLine.ITypeConverter<LoraFile> {
        @Override
        public LoraFile convert(String value) {
            try {
                return LoraFile.parse(value);
            } catch (JgptException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
