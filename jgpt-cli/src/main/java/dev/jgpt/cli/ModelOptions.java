package dev.jgpt.cli;

import dev.jgpt.JgptException;
import dev.jgpt.generate.LanguageModel;
import dev.jgpt.tensor.Parallel;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options every command that runs a model shares: which model, how many threads. */
final class ModelOptions {
    @Option(names = {"-m", "--model"}, paramLabel = "PATH",
            description = "A GGUF file (llama, qwen2 or gpt2; F32, F16, BF16 or quantized), or a model folder in Hugging Face layout "
                    + "(config.json, model.safetensors, tokenizer.json or vocab.json + merges.txt); "
                    + "default: the small Shakespeare model jgpt ships.")
    Path model;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "Threads for the kernels (default: all ${sys:jgpt.cores} cores).")
    Integer threads;

    static {
        System.setProperty("jgpt.cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
    }

    /** Opens the model, after sizing the thread pool. */
    LanguageModel open() {
        applyThreads();
        Path folder = model != null ? model : DefaultModel.folder().orElseThrow(() -> new JgptException(
                "no model given and this build ships none: pass --model PATH "
                        + "(make one with: jgpt make-model --preset gpt2-124m --out models/gpt2-124m)"));
        return LanguageModel.open(folder);
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
}
