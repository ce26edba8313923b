package dev.jgpt.cli;

import dev.jgpt.JgptException;
import dev.jgpt.format.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The model jgpt ships inside its jar, so that generation works with no download. Weights are
 * memory-mapped, so on first use the files are copied out of the jar into a cache folder
 * ($XDG_CACHE_HOME/jgpt or ~/.cache/jgpt), keyed by their content so an update never mixes
 * versions.
 */
final class DefaultModel {
    private static final String RESOURCE = "/dev/jgpt/cli/default-model/";
    private static final List<String> FILES = List.of("config.json", "tokenizer.json", "model.safetensors");

    private DefaultModel() {}

    /** The folder of the shipped model, unpacked if need be; empty if this build ships none. */
    static Optional<Path> folder() {
        if (DefaultModel.class.getResource(RESOURCE + "model.safetensors") == null) {
            return Optional.empty();
        }
        String version = version();
        Path folder = cacheRoot().resolve("default-model-" + version);
        for (String name : FILES) {
            Path file = folder.resolve(name);
            if (!Files.exists(file)) {
                AtomicFiles.write(file, tmp -> {
                    try (InputStream in = DefaultModel.class.getResourceAsStream(RESOURCE + name)) {
                        Files.copy(in, tmp);
                    }
                });
            }
        }
        return Optional.of(folder);
    }

    /** A short digest of the shipped config and tokenizer plus the weights' size: changes with every new model. */
    private static String version() {
        try (InputStream config = DefaultModel.class.getResourceAsStream(RESOURCE + "config.json");
             InputStream tokenizer = DefaultModel.class.getResourceAsStream(RESOURCE + "tokenizer.json");
             InputStream weights = DefaultModel.class.getResourceAsStream(RESOURCE + "model.safetensors")) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(config.readAllBytes());
            digest.update(tokenizer.readAllBytes());
            digest.update(weights.readNBytes(1 << 16));
            return HexFormat.of().formatHex(digest.digest(), 0, 6);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** jgpt's cache folder ($XDG_CACHE_HOME/jgpt or ~/.cache/jgpt), created if need be. */
    static Path cacheRoot() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path root = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        Path jgpt = root.resolve("jgpt");
        try {
            Files.createDirectories(jgpt);
        } catch (IOException e) {
            throw new JgptException("cannot create the cache folder " + jgpt + ": " + e.getMessage());
        }
        return jgpt;
    }
}
