package dev.jgpt.format;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A checkpoint file mapped read-only, unmapped again when the reader refuses the file. The file
 * stays open while mapped so that {@link #checkUnchanged} can ask its length: a mapping outlives
 * a truncation, and reading a page the file no longer has faults.
 */
final class MappedFile implements AutoCloseable {
    /** Reads a whole mapped file into a {@code T} that owns the mapping from then on. */
    @FunctionalInterface
    interface Reader<T> {
        T read(MappedFile mapping, MemorySegment contents);
    }

    private final Path file;
    private final Arena arena;
    private final RandomAccessFile handle;
    private final long size;

    private MappedFile(Path file, Arena arena, RandomAccessFile handle, long size) {
        this.file = file;
        this.arena = arena;
        this.handle = handle;
        this.size = size;
    }

    Path file() {
        return file;
    }

    static <T> T read(Path file, Reader<T> reader) {
        if (!Files.exists(file)) {
            throw new FormatException(file, "no such file");
        }
        RandomAccessFile handle;
        try {
            handle = new RandomAccessFile(file.toFile(), "r");
        } catch (FileNotFoundException e) {
            throw new FormatException(file, "cannot read: " + e.getMessage(), e);
        }
        Arena arena = Arena.ofShared();
        try {
            long size = handle.length();
            MemorySegment contents = handle.getChannel().map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            return reader.read(new MappedFile(file, arena, handle, size), contents);
        } catch (IOException e) {
            closeQuietly(arena, handle);
            throw new FormatException(file, "cannot read: " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            closeQuietly(arena, handle);
            throw e;
        }
    }

    /** Fails if the file is now shorter than when it was mapped: truncated, or being rewritten in place. */
    void checkUnchanged() {
        long now;
        try {
            now = handle.length();
        } catch (IOException e) {
            throw changed(e);
        }
        if (now < size) {
            throw changed(null);
        }
    }

    /**
     * {@code error} as the error naming this file when it is the JVM's report that a read of mapped
     * memory faulted (a page the file no longer has); any other error is rethrown as it is.
     */
    FormatException readFault(InternalError error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof InternalError && t.getMessage() != null && t.getMessage().contains("unsafe memory access")) {
                return changed(error);
            }
        }
        throw error;
    }

    /** The error for a file that changed under its mapping ({@code cause}: how that showed, or null). */
    private FormatException changed(Throwable cause) {
        return new FormatException(file, "the model file changed or was truncated while in use (open it again)", cause);
    }

    @Override
    public void close() {
        closeQuietly(arena, handle);
    }

    private static void closeQuietly(Arena arena, RandomAccessFile handle) {
        arena.close();
        try {
            handle.close();
        } catch (IOException e) {
            // read-only: nothing was written that closing could lose
        }
    }
}
