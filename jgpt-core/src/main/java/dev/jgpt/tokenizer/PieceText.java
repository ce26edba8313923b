package dev.jgpt.tokenizer;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** The human-readable form of a token's bytes (see {@link Tokenizer#piece}). */
final class PieceText {
    private PieceText() {}

    /** The bytes as text where they are whole UTF-8, each other byte shown as {@code <0xE2>}. */
    static String of(byte[] b) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(b);
        CharBuffer out = CharBuffer.allocate(b.length * 6);
        while (true) {
            CoderResult result = decoder.decode(in, out, true);
            if (result.isUnderflow()) {
                // a cut character at the very end is reported only as leftover input
                while (in.hasRemaining()) {
                    out.put(String.format("<0x%02X>", in.get() & 0xFF));
                }
                break;
            }
            for (int k = 0; k < result.length(); k++) {
                out.put(String.format("<0x%02X>", in.get() & 0xFF));
            }
        }
        return out.flip().toString();
    }
}
