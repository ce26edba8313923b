package dev.jgpt.cli;

import dev.jgpt.JgptException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** A training text: a UTF-8 file read whole, every failure a one-line {@link JgptException}. */
final class CorpusFile {
    private CorpusFile() {}

    static String read(Path file) {
        if (Files.isDirectory(file)) {
            throw new JgptException(file + " is a folder, expected a text file");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new JgptException("no such file: " + file);
        } catch (AccessDeniedException e) {
            throw new JgptException("cannot read " + file + ": permission denied");
        } catch (IOException e) {
            throw new JgptException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (bytes.length == 0) {
            throw new JgptException(file + " is empty: there is no text to train on");
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length); // never more chars than bytes
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            throw new JgptException(String.format("%s is not UTF-8 text: the byte 0x%02X at offset %d is not valid UTF-8 "
                    + "(convert the file to UTF-8 first, e.g. with iconv)", file, bytes[in.position()] & 0xFF, in.position()));
        }
        return out.flip().toString();
    }
}
