package dev.jgpt.format;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Maps a checkpoint file read-only for a reader, unmapping it again when the reader refuses the file. */
final class MappedFile {
    /** Reads a whole mapped file into a {@code T} that owns the arena from then on. */
    @FunctionalInterface
    interface Reader<T> {
        T read(Arena arena, MemorySegment contents);
    }

    private MappedFile() {}

    static <T> T read(Path file, Reader<T> reader) {
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return reader.read(arena, channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena));
        } catch (NoSuchFileException e) {
            arena.close();
            throw new FormatException(file, "no such file");
        } catch (IOException e) {
            arena.close();
            throw new FormatException(file, "cannot read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }
}
