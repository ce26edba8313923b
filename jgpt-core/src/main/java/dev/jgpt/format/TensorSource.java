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

    /**
     * Fails, naming the file, if it is now shorter than when it was opened (truncated, or being
     * rewritten in place): reading its tensors would fault. Cheap: one question to the file system.
     */
    void checkUnchanged();

    /**
     * {@code error}, thrown while reading this source's tensors, as the error naming the file when
     * it reports a read of the mapping that faulted because the file changed; any other error is
     * rethrown as it is. Usage: {@code catch (InternalError e) { throw source.readFault(e); }}
     */
    FormatException readFault(InternalError error);

    @Override
    void close();
}
