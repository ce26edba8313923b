package dev.jgpt.format;

import dev.jgpt.tensor.Tensor;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** A checkpoint file mapped whole, seen as its named tensors: views on the mapping, valid until {@link #close()}. */
abstract sealed class MappedTensors implements TensorSource permits Gguf, SafeTensors {
    private final MappedFile mapping;
    private final Map<String, Tensor> tensors;

    /** {@code tensors} in file order, unmodifiable. */
    MappedTensors(MappedFile mapping, Map<String, Tensor> tensors) {
        this.mapping = mapping;
        this.tensors = tensors;
    }

    @Override
    public Path file() {
        return mapping.file();
    }

    @Override
    public Set<String> names() {
        return tensors.keySet();
    }

    @Override
    public Optional<Tensor> find(String name) {
        return Optional.ofNullable(tensors.get(name));
    }

    @Override
    public void checkUnchanged() {
        mapping.checkUnchanged();
    }

    @Override
    public FormatException readFault(InternalError error) {
        return mapping.readFault(error);
    }

    @Override
    public void close() {
        mapping.close();
    }
}
