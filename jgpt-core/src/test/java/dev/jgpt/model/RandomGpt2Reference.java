package dev.jgpt.model;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jgpt.SharedData;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * ../shared/reference/gpt2-124m-random: a GPT-2 124M-shaped model with random weights, made by
 * the reference's own script (needs python3 with numpy), and llama.cpp's logits for it.
 */
final class RandomGpt2Reference {
    /** "Hello, my name is" in GPT-2 ids, no BOS: the prompt llama.cpp ran. */
    static final int[] PROMPT = {15496, 11, 616, 1438, 318};
    static final int VOCAB = 50257;
    private static final Path MADE = Path.of("target", "gpt2-124m-random");

    private RandomGpt2Reference() {}

    /** The Hugging Face folder of the model, made once per build folder; skips when it cannot be made. */
    static synchronized Path huggingFaceFolder() throws IOException, InterruptedException {
        Path reference = SharedData.require("reference/gpt2-124m-random");
        Path folder = MADE.resolve("gpt2-random-hf");
        Path done = MADE.resolve("complete");
        if (Files.exists(done)) {
            return folder;
        }
        Files.createDirectories(MADE);
        Path vocab = SharedData.require("tokenizer/gpt2");
        Process process;
        try {
            process = new ProcessBuilder("python3", reference.resolve("make_bench_model.py").toString(), "--hf-only",
                    "--out-dir", MADE.toString(), "--vocab-dir", vocab.toString())
                    .redirectErrorStream(true).redirectOutput(MADE.resolve("make.log").toFile()).start();
        } catch (IOException e) {
            assumeTrue(false, "python3 is not installed: cannot make the random GPT-2 of ../shared/reference");
            throw e;
        }
        boolean finished = process.waitFor(5, TimeUnit.MINUTES);
        String log = Files.exists(MADE.resolve("make.log")) ? Files.readString(MADE.resolve("make.log")) : "";
        assumeTrue(finished && process.exitValue() == 0 || !log.contains("No module named 'numpy'"),
                "python3 has no numpy: cannot make the random GPT-2 of ../shared/reference");
        if (!finished || process.exitValue() != 0) {
            throw new IllegalStateException("make_bench_model.py failed: " + log);
        }
        Files.writeString(done, "ok\n");
        return folder;
    }

    /** llama.cpp's next-token logits at the prompt's last position: {@code f32} or {@code q8_0}. */
    static float[] llamaCppLogits(String variant) throws IOException {
        byte[] bytes = Files.readAllBytes(SharedData.require("reference/gpt2-124m-random/" + variant + ".f32"));
        float[] logits = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(logits);
        return logits;
    }

    static float maxAbsDifference(float[] a, float[] b) {
        float max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }
}
