package dev.jgpt.format;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jgpt.Quoted;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** JSON files read whole, each problem a {@link FormatException} naming the file. */
public final class JsonFiles {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonFiles() {
    }

    /**
     * The JSON object {@code file} holds.
     *
     * @param missing what to say when there is no such file
     */
    public static JsonNode readObject(Path file, String missing) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(file)); // bytes: the parser names a byte that is not UTF-8
        } catch (NoSuchFileException e) {
            throw new FormatException(file, missing);
        } catch (JacksonException e) {
            throw new FormatException(file, "not valid JSON: " + Quoted.of(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new FormatException(file, "cannot read: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new FormatException(file, "not a JSON object");
        }
        return root;
    }
}
