package dev.jgpt.model.load;

import dev.jgpt.Quoted;
import dev.jgpt.format.FormatException;
import dev.jgpt.format.TensorSource;
import java.util.HashSet;
import java.util.Set;
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
     * the count comes from. Layers are counted, not inferred from the highest index: one stray
     * tensor of layer 999999999 must not vouch for a billion layers.
     */
    static void check(TensorSource source, Pattern layerTensor, int declared, String declaredAs) {
        Set<Integer> layers = new HashSet<>();
        String highest = null;
        int max = -1;
        for (String name : source.names()) {
            Matcher m = layerTensor.matcher(name);
            if (m.matches()) {
                String index = m.group(1);
                if (index.length() > MAX_DIGITS) {
                    throw new FormatException(source.file(), "tensor " + Quoted.of(name) + " names layer " + Quoted.of(index)
                            + ", more layers than any model has");
                }
                int layer = Integer.parseInt(index);
                layers.add(layer);
                if (layer > max) {
                    max = layer;
                    highest = name;
                }
            }
        }
        int stored = layers.size();
        if (max + 1 != stored) {
            throw new FormatException(source.file(), "the file holds the tensors of " + stored + " layers, but tensor "
                    + Quoted.of(highest) + " belongs to layer " + max + ": layers are numbered from 0 without gaps");
        }
        if (stored != declared) {
            throw new FormatException(source.file(), declaredAs + " is " + declared + " but the file holds the tensors of "
                    + stored + " layer" + (stored == 1 ? "" : "s"));
        }
    }
}
