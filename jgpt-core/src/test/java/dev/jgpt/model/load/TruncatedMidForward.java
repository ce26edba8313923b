package dev.jgpt.model.load;

import dev.jgpt.JgptException;
import dev.jgpt.convert.RandomModel;
import dev.jgpt.model.Transformer;
import dev.jgpt.tensor.DType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Truncates a model's GGUF file in the middle of a forward pass (after its first block) and
 * prints the message of the JgptException that follows. Run in a JVM of its own, interpreted,
 * by {@link ModelFilesTest}: compiled vector loads that fault take the whole JVM down.
 */
final class TruncatedMidForward {
    private TruncatedMidForward() {}

    public static void main(String[] args) {
        Path file = Path.of(args[0]);
        RandomModel.gguf(ModelFilesTest.LLAMA, DType.F32, 3).write(file);
        try (ModelFiles model = ModelFiles.open(file)) {
            Transformer transformer = model.transformer();
            transformer.setProbe(new Transformer.Probe() {
                @Override
                public void attention(int layer, int start, int rows, float[] weights, int headStride, int rowStride) {
                    if (layer == 0) {
                        truncate(file);
                    }
                }

                @Override
                public void residual(int layer, int start, int rows, float[] x) {
                }
            });
            transformer.forward(new int[] {1, 2, 3}, 0, 3, transformer.newCache());
            System.out.println("no error");
        } catch (JgptException e) {
            System.out.println(e.getMessage());
        }
    }

    static void truncate(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(64);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
