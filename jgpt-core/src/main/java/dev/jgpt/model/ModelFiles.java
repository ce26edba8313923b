package dev.jgpt.model;

import dev.jgpt.format.FormatException;
import dev.jgpt.format.SafeTensors;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A GPT-2 model folder in Hugging Face layout, opened: {@code config.json} read, {@code
 * model.safetensors} memory-mapped, the forward pass ready. Closing unmaps the weights.
 */
public final class ModelFiles implements AutoCloseable {
    public static final String CONFIG = "config.json";
    public static final String WEIGHTS = "model.safetensors";

    private final Path directory;
    private final SafeTensors tensors;
    private final Transformer transformer;

    private ModelFiles(Path directory, SafeTensors tensors, Transformer transformer) {
        this.directory = directory;
        this.tensors = tensors;
        this.transformer = transformer;
    }

    public static ModelFiles open(Path directory) {
        if (!Files.isDirectory(directory)) {
            throw new FormatException(directory, Files.exists(directory)
                    ? "not a folder (a model is a folder with config.json and model.safetensors)"
                    : "no such model folder");
        }
        ModelConfig config = HfConfig.read(directory.resolve(CONFIG));
        SafeTensors tensors = SafeTensors.open(directory.resolve(WEIGHTS));
        try {
            return new ModelFiles(directory, tensors, Transformer.load(tensors, config));
        } catch (RuntimeException e) {
            tensors.close();
            throw e;
        }
    }

    public Path directory() {
        return directory;
    }

    public Transformer transformer() {
        return transformer;
    }

    public ModelConfig config() {
        return transformer.config();
    }

    /** Bytes of weights mapped from the checkpoint file. */
    public long weightBytes() {
        return tensors.names().stream().mapToLong(n -> tensors.require(n).data().byteSize()).sum();
    }

    public SafeTensors tensors() {
        return tensors;
    }

    @Override
    public void close() {
        tensors.close();
    }
}
