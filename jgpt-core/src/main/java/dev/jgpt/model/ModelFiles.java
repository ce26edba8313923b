package dev.jgpt.model;

import dev.jgpt.format.FormatException;
import dev.jgpt.format.SafeTensors;
import dev.jgpt.format.TensorSource;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A model's weights opened for use: a Hugging Face style GPT-2 folder ({@code config.json} read,
 * {@code model.safetensors} memory-mapped), the forward pass ready. Closing unmaps the weights.
 */
public final class ModelFiles implements AutoCloseable {
    public static final String CONFIG = "config.json";
    public static final String WEIGHTS = "model.safetensors";

    private final Path path;
    private final TensorSource tensors;
    private final Transformer transformer;

    private ModelFiles(Path path, TensorSource tensors, Transformer transformer) {
        this.path = path;
        this.tensors = tensors;
        this.transformer = transformer;
    }

    public static ModelFiles open(Path path) {
        if (!Files.isDirectory(path)) {
            throw new FormatException(path, Files.exists(path)
                    ? "not a folder (a model is a folder with config.json and model.safetensors)"
                    : "no such model folder");
        }
        ModelConfig config = HfConfig.read(path.resolve(CONFIG));
        SafeTensors tensors = SafeTensors.open(path.resolve(WEIGHTS));
        try {
            return new ModelFiles(path, tensors, Transformer.load(tensors, config));
        } catch (RuntimeException e) {
            tensors.close();
            throw e;
        }
    }

    /** The folder or file the model was opened from. */
    public Path path() {
        return path;
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

    public TensorSource tensors() {
        return tensors;
    }

    @Override
    public void close() {
        tensors.close();
    }
}
