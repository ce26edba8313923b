package dev.jgpt.format;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;

/** Writes files so that a reader sees either the old file or the complete new one, never a part. */
public final class AtomicFiles {
    /** Writes the file's content to the given temporary path. */
    @FunctionalInterface
    public interface Content {
        void writeTo(Path temporary) throws IOException;
    }

    private AtomicFiles() {}

    /** Writes {@code target} through a temporary file beside it, then renames it into place. */
    public static void write(Path target, Content content) {
        Path absolute = target.toAbsolutePath();
        Path temporary = absolute.resolveSibling(absolute.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        try {
            Files.createDirectories(absolute.getParent());
            content.writeTo(temporary);
            try {
                Files.move(temporary, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new FormatException(target, "cannot write: " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException ignored) {
                // the temporary is only debris; the target is already consistent
            }
        }
    }

    /**
     * Writes {@code target} of {@code size} bytes by filling a memory mapping of the temporary
     * file (large tensors go straight to the page cache, never through a heap buffer), forced to
     * disk before the rename.
     */
    public static void writeMapped(Path target, long size, Consumer<MemorySegment> fill) {
        write(target, tmp -> {
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.READ, StandardOpenOption.WRITE);
                 Arena arena = Arena.ofShared()) {
                MemorySegment out = channel.map(FileChannel.MapMode.READ_WRITE, 0, size, arena);
                fill.accept(out);
                out.force();
            }
        });
    }

    /** Atomically writes a string as UTF-8. */
    public static void writeString(Path target, String text) {
        write(target, tmp -> Files.writeString(tmp, text));
    }
}
