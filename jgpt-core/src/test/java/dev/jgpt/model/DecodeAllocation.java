package dev.jgpt.model;

import dev.jgpt.convert.GgufModelWriter;
import dev.jgpt.model.load.ModelFiles;
import dev.jgpt.lora.Adapters;
import dev.jgpt.lora.LoraFile;
import dev.jgpt.lora.RandomLora;
import dev.jgpt.tensor.DType;
import dev.jgpt.tensor.Parallel;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * Prints the bytes that 50 warm decode steps of a Llama-shaped model, mapped from a GGUF file, allocate on the calling
 * thread (0 expected); with the argument {@code lora}, a LoRA adapter joins every linear map. Run in a JVM of its own
 * by {@link DecodeAllocationTest}.
 */
final class DecodeAllocation {
    private DecodeAllocation() {}

    public static void main(String[] args) throws IOException {
        ModelConfig config = new ModelConfig(Architecture.llama(Rope.of(Rope.Style.NORM, 16, 10000)), 2, 8, 2, 128, 344, 512,
                300, 1e-5f, false);
        // mapped from a file, as models are used: the check that the file is still whole is part of each step
        Path file = Files.createTempFile("decode-allocation", ".gguf");
        GgufModelWriter.of(new RandomModels(5).weights(config, false), DType.F32).write(file);
        Path adapter = Files.createTempFile("decode-allocation-lora", ".gguf");
        boolean lora = List.of(args).contains("lora");
        try (ModelFiles model = ModelFiles.open(file)) {
            ModelFiles run = model;
            if (lora) {
                RandomLora.of(model.transformer().weights(), name -> true, 8, 16f, 0.02, 7).write(adapter, DType.F32);
                run = Adapters.attach(model, List.of(new LoraFile(adapter, 1f)));
            }
            System.out.println(warmAllocation(run.transformer(), config));
        } finally {
            Files.delete(file);
            Files.delete(adapter);
        }
    }

    private static long warmAllocation(Transformer transformer, ModelConfig config) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Parallel.setThreads(1); // the calling thread does all the work, so its counter sees it all
        Random random = new Random(6);
        int[] tokens = new int[512];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = random.nextInt(config.vocabSize());
        }
        KvCache cache = transformer.newCache();
        long allocated = -1;
        long deadline = System.nanoTime() + 150_000_000_000L; // a loaded machine compiles slowly; FreshJvm allows 3 minutes
        while (allocated != 0 && System.nanoTime() < deadline) {
            cache.clear();
            for (int p = 0; p < 400; p++) { // warm-up: until C2 has compiled the decode path
                transformer.forward(tokens, p, p + 1, cache);
            }
            long start = mx.getCurrentThreadAllocatedBytes();
            for (int p = 400; p < 450; p++) {
                transformer.forward(tokens, p, p + 1, cache);
            }
            allocated = mx.getCurrentThreadAllocatedBytes() - start;
        }
        return allocated;
    }
}
