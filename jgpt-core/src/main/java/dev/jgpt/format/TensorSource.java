package dev.jgpt.format;

import dev.jgpt.tensor.Tensor;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/** A checkpoint file seen as a set of named tensors. */
public interface TensorSource extends AutoCloseable {
    Path file();

    Set<String> names();

    Optional<Tensor> find(String name);

    /** The tensor called {@code name}; a {@link FormatException} naming the file if absent. */
    default Tensor require(String name) {
        return find(name).orElseThrow(() -> new FormatException(file(), "missing tensor '" + name + "'"));
    }

    @Override
    void close();
}
