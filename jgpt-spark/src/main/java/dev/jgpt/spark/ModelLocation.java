package dev.jgpt.spark;

import dev.jgpt.JgptException;
import dev.jgpt.Quoted;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.SparkFiles;

/** Where a model named in a job lies on this node: a path every node sees, or a file the job shipped (SparkFiles). */
final class ModelLocation {
    private ModelLocation() {
    }

    /**
     * {@code model} as a path when it exists here, else the file of that name shipped with
     * {@code --files} (or {@code SparkContext.addFile}).
     */
    static Path resolve(String model) {
        Path path = Path.of(model);
        if (Files.exists(path)) {
            return path;
        }
        Path shipped = shipped(path.getFileName() == null ? model : path.getFileName().toString());
        if (shipped != null && Files.exists(shipped)) {
            return shipped;
        }
        throw new JgptException("model " + Quoted.of(model) + " not found: no such path on this node, and no file of that name "
                + "shipped with the job (--files)");
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
