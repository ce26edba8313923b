package dev.jgpt.cli;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jgpt.JgptException;
import dev.jgpt.Quoted;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code OUT/watch.jsonl}: the records of a watched run, one JSON object per line, appended as
 * they are made. A run stopped while writing leaves a cut last line: reading skips it, and a
 * resumed run cuts it off before it appends.
 */
final class WatchLog implements AutoCloseable {
    static final String FILE = "watch.jsonl";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final OutputStream out;

    private WatchLog(OutputStream out) {
        this.out = out;
    }

    /** The records of {@code file}, in order. */
    static List<ObjectNode> read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new JgptException(file + " does not exist: a run writes it when trained with --watch");
        }
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new JgptException("cannot read " + file + ": " + e.getMessage());
        }
        List<ObjectNode> records = new ArrayList<>();
        List<String> lines = text.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            boolean cut = i == lines.size() - 1 && !text.endsWith("\n");
            try {
                JsonNode node = JSON.readTree(line);
                if (node instanceof ObjectNode record) {
                    records.add(record);
                    continue;
                }
            } catch (JacksonException e) {
                if (cut) {
                    break; // the line a stopped run was writing
                }
            }
            throw new JgptException(file + " line " + (i + 1) + " is not a JSON object: " + Quoted.of(line));
        }
        return records;
    }

    /** Appends to {@code file} (made when missing), after cutting off a last line a stopped run left unfinished. */
    static WatchLog append(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            if (Files.exists(file)) {
                cutUnfinishedLine(file);
            }
            return new WatchLog(Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND));
        } catch (IOException e) {
            throw new JgptException("cannot write " + file + ": " + e.getMessage());
        }
    }

    /** Writes one record as a line, at once. */
    void write(ObjectNode record) {
        try {
            byte[] line = JSON.writeValueAsBytes(record);
            out.write(line);
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void cutUnfinishedLine(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer chunk = ByteBuffer.allocate(1 << 16);
            long end = channel.size();
            while (end > 0) {
                long from = Math.max(0, end - chunk.capacity());
                chunk.clear().limit((int) (end - from));
                while (chunk.hasRemaining() && channel.read(chunk, from + chunk.position()) >= 0) {
                    // read the whole chunk
                }
                int newline = chunk.position() - 1;
                while (newline >= 0 && chunk.get(newline) != '\n') {
                    newline--;
                }
                if (newline >= 0) {
                    channel.truncate(from + newline + 1);
                    return;
                }
                end = from;
            }
            channel.truncate(0);
        }
    }
}
