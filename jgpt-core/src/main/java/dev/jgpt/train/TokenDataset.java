package dev.jgpt.train;

import dev.jgpt.JgptException;
import dev.jgpt.format.FormatException;
import dev.jgpt.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/** A training corpus as one long sequence of token ids. */
public record TokenDataset(String source, int[] tokens) {

    /** Reads a plain UTF-8 text file and tokenizes it (special-token text is kept as plain text). */
    public static TokenDataset fromText(Path file, Tokenizer tokenizer) {
        return new TokenDataset(file.toString(), tokenizer.encodeOrdinary(readText(file)));
    }

    /** Reads a file of uint16 little-endian token ids (the nanoGPT/llm.c {@code .bin} layout). */
    public static TokenDataset fromUint16(Path file) {
        byte[] bytes = read(file);
        if (bytes.length % 2 != 0) {
            throw new FormatException(file, "has " + bytes.length + " bytes, not a whole number of uint16 token ids");
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int[] tokens = new int[bytes.length / 2];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = Short.toUnsignedInt(buffer.getShort());
        }
        return new TokenDataset(file.toString(), tokens);
    }

    /** A text file's contents, with a clear error if it is missing, a folder, empty or not UTF-8. */
    public static String readText(Path file) {
        byte[] bytes = read(file);
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length); // never more chars than bytes
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            throw new FormatException(file, String.format("is not UTF-8 text: the byte 0x%02X at offset %d is not valid UTF-8 "
                    + "(convert the file to UTF-8 first, e.g. with iconv)", bytes[in.position()] & 0xFF, in.position()));
        }
        return out.flip().toString();
    }

    private static byte[] read(Path file) {
        if (Files.isDirectory(file)) {
            throw new FormatException(file, "is a folder, expected a file");
        }
        try {
            byte[] bytes = Files.readAllBytes(file);
            if (bytes.length == 0) {
                throw new FormatException(file, "is empty: there is nothing to train on");
            }
            return bytes;
        } catch (NoSuchFileException e) {
            throw new FormatException(file, "no such file");
        } catch (AccessDeniedException e) {
            throw new FormatException(file, "cannot read: permission denied");
        } catch (IOException e) {
            throw new FormatException(file, "cannot read: " + e.getMessage(), e);
        }
    }

    public int size() {
        return tokens.length;
    }

    /** Throws a clear error if any id is outside a vocabulary of {@code vocabSize}. */
    public void checkVocabulary(int vocabSize) {
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] >= vocabSize) {
                throw new JgptException(source + ": token " + i + " is id " + tokens[i] + ", outside the model's vocabulary of "
                        + vocabSize);
            }
        }
    }

    /**
     * The first {@code 1 - validationFraction} of the tokens for training and the rest for
     * validation, in file order (as nanoGPT splits its corpora).
     */
    public Split split(double validationFraction) {
        if (!(validationFraction >= 0 && validationFraction < 1)) {
            throw new JgptException("the validation fraction must be in [0, 1), got " + validationFraction);
        }
        int cut = (int) Math.round(tokens.length * (1 - validationFraction));
        return new Split(new TokenDataset(source + " (train)", Arrays.copyOf(tokens, cut)),
                new TokenDataset(source + " (validation)", Arrays.copyOfRange(tokens, cut, tokens.length)));
    }

    /** A corpus cut into the part trained on and the part held out to measure generalisation. */
    public record Split(TokenDataset train, TokenDataset validation) {}
}
