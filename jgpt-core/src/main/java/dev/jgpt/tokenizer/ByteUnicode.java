package dev.jgpt.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * GPT-2's byte-to-unicode table: each of the 256 byte values is shown as one printable
 * character (printable Latin-1 bytes as themselves, the others as U+0100 onwards, so a space
 * is {@code Ġ}), which is how {@code vocab.json} and {@code merges.txt} spell token bytes.
 */
final class ByteUnicode {
    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[256 + 68];

    static {
        int extra = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            BYTE_TO_CHAR[b] = printable ? (char) b : (char) (256 + extra++);
        }
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        for (int b = 0; b < 256; b++) {
            CHAR_TO_BYTE[BYTE_TO_CHAR[b]] = b;
        }
    }

    private ByteUnicode() {}

    /**
     * The bytes in the order of their characters, which is GPT-2's order of the 256 byte tokens
     * in {@code vocab.json} ({@code !} first): element i is the byte whose token is id i.
     */
    static int[] bytesInCharOrder() {
        return java.util.stream.IntStream.range(0, 256).boxed()
                .sorted(java.util.Comparator.comparingInt(b -> BYTE_TO_CHAR[b]))
                .mapToInt(Integer::intValue).toArray();
    }

    /** The byte-level spelling of raw bytes. */
    static String encode(byte[] bytes) {
        char[] chars = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            chars[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        }
        return new String(chars);
    }

    /**
     * The raw bytes of a byte-level spelling. A character outside the table stands for its own
     * UTF-8 bytes, as in Hugging Face's ByteLevel decoder.
     */
    static byte[] decode(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int b = cp < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[cp] : -1;
            if (b >= 0) {
                out.write(b);
            } else {
                out.writeBytes(Character.toString(cp).getBytes(StandardCharsets.UTF_8));
            }
            i += Character.charCount(cp);
        }
        return out.toByteArray();
    }
}
