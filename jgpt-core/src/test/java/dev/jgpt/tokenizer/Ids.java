package dev.jgpt.tokenizer;

import static org.assertj.core.api.Assertions.fail;

import java.util.Arrays;

/** Comparing long id sequences with a short, useful failure message. */
final class Ids {
    private Ids() {}

    /** Fails at the first difference, showing the ids around it and the text they stand for. */
    static void assertSameIds(String what, int[] actual, int[] expected, Tokenizer tokenizer) {
        int n = Math.min(actual.length, expected.length);
        int at = 0;
        while (at < n && actual[at] == expected[at]) {
            at++;
        }
        if (at == n && actual.length == expected.length) {
            return;
        }
        int from = Math.max(0, at - 5);
        int[] a = Arrays.copyOfRange(actual, from, Math.min(actual.length, at + 5));
        int[] e = Arrays.copyOfRange(expected, from, Math.min(expected.length, at + 5));
        fail("%s: ids differ at index %d of %d/%d%n ours:     %s %s%n expected: %s %s", what, at, actual.length, expected.length,
                Arrays.toString(a), show(tokenizer, a), Arrays.toString(e), show(tokenizer, e));
    }

    private static String show(Tokenizer tokenizer, int[] ids) {
        StringBuilder sb = new StringBuilder("[");
        for (int id : ids) {
            sb.append('|').append(tokenizer.piece(id).replace("\n", "\\n"));
        }
        return sb.append("|]").toString();
    }
}
