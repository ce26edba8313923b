package dev.jgpt.tokenizer;

import java.util.Objects;
import java.util.function.IntFunction;

/** The bytes of a run of tokens laid end to end: what decoding turns into text. */
final class TokenBytes {
    private TokenBytes() {}

    /** {@code token(ids[from]) + ... + token(ids[to - 1])}; {@code token} checks each id. */
    static byte[] concatenate(int[] ids, int from, int to, IntFunction<byte[]> token) {
        Objects.checkFromToIndex(from, to, ids.length);
        int length = 0;
        for (int i = from; i < to; i++) {
            length += token.apply(ids[i]).length;
        }
        byte[] out = new byte[length];
        int at = 0;
        for (int i = from; i < to; i++) {
            byte[] b = token.apply(ids[i]);
            System.arraycopy(b, 0, out, at, b.length);
            at += b.length;
        }
        return out;
    }
}
