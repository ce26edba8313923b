package dev.jgpt.model;

import dev.jgpt.Quoted;
import dev.jgpt.format.FormatException;
import dev.jgpt.format.TensorSource;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The number of blocks a checkpoint holds tensors for, read from the tensor names: a config's
 * layer count is checked against it before anything is built per layer, so that a count no file
 * could back fails at once instead of naming a billion tensors.
 */
final class StoredLayers {
    /** Layer indices longer than this cannot be real. */
    private static final int MAX_DIGITS = 9;

    private StoredLayers() {}

    /**
     * Fails unless the tensors named by {@code layerTensor} (its group 1 the layer index) are
     * those of exactly {@code declared} layers, 0 to declared − 1; {@code declaredAs} says where
     * the count comes from.
     */
    static void check(TensorSource source, Pattern layerTensor, int declared, String declaredAs) {
        long stored = 0;
        for (String name : source.names()) {
            Matcher m = layerTensor.matcher(name);
            if (m.matches()) {
                String index = m.group(1);
                if (index.length() > MAX_DIGITS) {
                    throw new FormatException(source.file(), "tensor " + Quoted.of(name) + " names layer " + Quoted.of(index)
                            + ", more layers than any model has");
                }
                stored = Math.max(stored, Long.parseLong(index) + 1);
            }
        }
        if (stored != declared) {
            throw new FormatException(source.file(), declaredAs + " is " + declared + " but the file holds the tensors of "
                    + stored + " layer" + (stored == 1 ? "" : "s"));
        }
    }
}
