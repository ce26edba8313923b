package dev.jgpt.tokenizer;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Turns tokens into text as they arrive, for printing a generation while it runs. A token may
 * end in the middle of a UTF-8 character (an emoji is often two or three tokens); those bytes
 * are held until the character is whole, so no replacement character appears mid-character.
 * The concatenation of everything returned, {@link #flush()} included, equals
 * {@link Tokenizer#decode} of all the ids, but for the leading space a SentencePiece decode drops
 * (a generation continues a prompt, so its first space is real). Not thread-safe: one per stream.
 */
public final class Utf8StreamDecoder {
    private final Tokenizer tokenizer;
    /** UTF-8 with U+FFFD for bytes that can never form a character, as {@code new String(bytes, UTF_8)} does. */
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    private byte[] pending = new byte[0];

    public Utf8StreamDecoder(Tokenizer tokenizer) {
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
    }

    /** Adds one token; returns the text completed by it (possibly empty). */
    public String accept(int id) {
        return acceptBytes(tokenizer.tokenBytes(id));
    }

    /** Adds raw bytes; returns the text completed by them (possibly empty). */
    public String acceptBytes(byte[] bytes) {
        ByteBuffer in = ByteBuffer.allocate(pending.length + bytes.length).put(pending).put(bytes).flip();
        String text = decode(in, false);
        pending = new byte[in.remaining()];
        in.get(pending);
        return text;
    }

    /** Ends the stream: returns what is held back (a cut character as U+FFFD) and starts afresh. */
    public String flush() {
        ByteBuffer in = ByteBuffer.wrap(pending);
        String text = decode(in, true);
        pending = new byte[0];
        decoder.reset();
        return text;
    }

    /** Whether bytes of an unfinished character are being held back. */
    public boolean hasPending() {
        return pending.length > 0;
    }

    private String decode(ByteBuffer in, boolean endOfInput) {
        // each byte gives at most one char (a 4-byte character gives two), so this never overflows
        CharBuffer out = CharBuffer.allocate(in.remaining() + 1);
        decoder.decode(in, out, endOfInput);
        if (endOfInput) {
            decoder.flush(out);
        }
        return out.flip().toString();
    }
}
