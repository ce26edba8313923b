package dev.jgpt.spark;

import dev.jgpt.JgptException;
import dev.jgpt.Quoted;
import dev.jgpt.hub.Hub;
import dev.jgpt.hub.HubSettings;
import dev.jgpt.hub.ModelName;
import dev.jgpt.hub.PullListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.spark.SparkFiles;

/**
 * Where a model named in a job lies on this node: a path every node sees, a file the job shipped
 * (SparkFiles), or a model on the Hugging Face Hub by name, in this node's hub cache.
 */
final class ModelLocation {
    private ModelLocation() {
    }

    /**
     * {@code model} as a path when it exists here, else the file of that name shipped with
     * {@code --files} (or {@code SparkContext.addFile}), else, when it is of a model name's form
     * ({@code OWNER/REPO[:QUANT]}), the file from the hub's cache, pulled there first if need be.
     *
     * @param hub the hub's settings, asked for only when {@code model} is a name to look up
     */
    static Path resolve(String model, Supplier<HubSettings> hub) {
        Path path = Path.of(model);
        if (Files.exists(path)) {
            return path;
        }
        Path shipped = shipped(path.getFileName() == null ? model : path.getFileName().toString());
        if (shipped != null && Files.exists(shipped)) {
            return shipped;
        }
        String notHere = "model " + Quoted.of(model) + " not found: no such path on this node, and no file of that name shipped with the job (--files)";
        Optional<ModelName> name = ModelName.parse(model);
        if (name.isEmpty()) {
            throw new JgptException(notHere);
        }
        try {
            return new Hub(hub.get()).resolve(name.get(), PullListener.NONE);
        } catch (JgptException e) {
            throw new JgptException(notHere + "; as a model name: " + e.getMessage(), e);
        }
    }

    /** The shipped file's path on this node, or null outside a Spark task or driver. */
    private static Path shipped(String name) {
        try {
            return Path.of(SparkFiles.get(name));
        } catch (RuntimeException e) {
            return null;
        }
    }
}
