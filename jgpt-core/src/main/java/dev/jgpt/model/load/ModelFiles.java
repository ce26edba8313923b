package dev.jgpt.model.load;

import dev.jgpt.format.FormatException;
import dev.jgpt.format.Gguf;
import dev.jgpt.format.SafeTensors;
import dev.jgpt.format.TensorSource;
import dev.jgpt.model.ModelConfig;
import dev.jgpt.model.ModelWeights;
import dev.jgpt.model.Transformer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * A model's weights opened for use, the forward pass ready: a GGUF file, or a Hugging Face style
 * GPT-2 folder ({@code config.json} read, {@code model.safetensors}). The weights stay
 * memory-mapped; closing unmaps them.
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

    /**
     * Opens a GGUF file (llama, qwen2 or gpt2), or a Hugging Face GPT-2 folder ({@code config.json}
     * and {@code model.safetensors}).
     */
    public static ModelFiles open(Path path) {
        if (Files.isRegularFile(path)) {
            if (path.getFileName().toString().endsWith(".safetensors")) {
                throw new FormatException(path, "a safetensors checkpoint is opened through its folder (with config.json)");
            }
            Gguf gguf = Gguf.open(path);
            return withClose(gguf, () -> new ModelFiles(path, gguf, new Transformer(GgufLoader.load(gguf), gguf)));
        }
        if (!Files.isDirectory(path)) {
            throw new FormatException(path, "no such model folder (or GGUF file)");
        }
        ModelConfig config = HfConfig.read(path.resolve(CONFIG));
        SafeTensors tensors = SafeTensors.open(path.resolve(WEIGHTS));
        return withClose(tensors, () -> new ModelFiles(path, tensors, new Transformer(HfLoader.load(tensors, config), tensors)));
    }

    /** {@code open.get()}, closing {@code source} if that fails. */
    private static ModelFiles withClose(TensorSource source, Supplier<ModelFiles> open) {
        try {
            return open.get();
        } catch (RuntimeException e) {
            source.close();
            throw e;
        }
    }

    /**
     * The same files with a forward pass over {@code change} of their weights (adapters joined to
     * the linear maps): the weights stay where they are mapped; closing either closes the files.
     */
    public ModelFiles withWeights(UnaryOperator<ModelWeights> change) {
        return new ModelFiles(path, tensors, new Transformer(change.apply(transformer.weights()), tensors));
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

    /** The GGUF file, with its metadata (tokenizer, chat template), when the model came from one. */
    public Optional<Gguf> gguf() {
        return tensors instanceof Gguf gguf ? Optional.of(gguf) : Optional.empty();
    }

    @Override
    public void close() {
        tensors.close();
    }
}
