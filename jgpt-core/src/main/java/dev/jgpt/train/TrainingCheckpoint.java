package dev.jgpt.train;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.jgpt.format.FormatException;
import dev.jgpt.tensor.DType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A training run's output folder:
 * <pre>
 * OUT/config.json, model.safetensors, tokenizer.json   the latest model, Hugging Face layout
 * OUT/losses.csv, loss.svg                             the loss curve
 * OUT/checkpoint/                                      everything --resume needs: F32 weights,
 *     config.json, model.safetensors, tokenizer.json,  AdamW moments, the run's state
 *     optimizer.safetensors, state.json
 * </pre>
 * A checkpoint is written whole into {@code checkpoint.tmp/}, then swapped in by renaming
 * folders, so a run killed at any moment leaves the previous checkpoint intact.
 */
public final class TrainingCheckpoint {
    public static final String TOKENIZER = "tokenizer.json";
    private static final String CHECKPOINT = "checkpoint";
    private static final String OPTIMIZER = "optimizer.safetensors";
    private static final String STATE = "state.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private TrainingCheckpoint() {}

    /**
     * Writes a checkpoint of the run into {@code out} (which already holds the run's
     * {@code tokenizer.json}), and exports the model beside it with weights of {@code exportDtype}.
     */
    public static void save(Path out, Parameters parameters, AdamW optimizer, TrainingState state, DType exportDtype) {
        Path ready = out.resolve(CHECKPOINT);
        Path fresh = out.resolve(CHECKPOINT + ".tmp");
        Path old = out.resolve(CHECKPOINT + ".old");
        try {
            deleteTree(fresh);
            Files.createDirectories(fresh);
            parameters.save(fresh);
            optimizer.save(fresh.resolve(OPTIMIZER));
            Files.copy(out.resolve(TOKENIZER), fresh.resolve(TOKENIZER));
            Files.writeString(fresh.resolve(STATE), JSON.writeValueAsString(state));
            deleteTree(old);
            if (Files.exists(ready)) {
                Files.move(ready, old, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(fresh, ready, StandardCopyOption.ATOMIC_MOVE);
            deleteTree(old);
        } catch (IOException e) {
            throw new FormatException(ready, "cannot write the checkpoint: " + e.getMessage(), e);
        }
        parameters.save(out, exportDtype);
        state.history().write(out);
    }

    /** The checkpoint folder of a run in {@code out}, if it has one (a swap cut short leaves it as checkpoint.old). */
    public static Optional<Path> find(Path out) {
        for (String name : new String[] {CHECKPOINT, CHECKPOINT + ".old"}) {
            Path dir = out.resolve(name);
            if (Files.exists(dir.resolve(STATE))) {
                return Optional.of(dir);
            }
        }
        return Optional.empty();
    }

    /** Reads the state of the checkpoint in {@code directory}. */
    public static TrainingState readState(Path directory) {
        Path file = directory.resolve(STATE);
        try {
            return JSON.readValue(file.toFile(), TrainingState.class);
        } catch (JacksonException e) {
            throw new FormatException(file, "not a valid training state: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new FormatException(file, "cannot read: " + e.getMessage(), e);
        }
    }

    public static Path optimizerFile(Path checkpoint) {
        return checkpoint.resolve(OPTIMIZER);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
