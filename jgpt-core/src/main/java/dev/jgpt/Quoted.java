package dev.jgpt;

/**
 * Text from a file or a request, made safe to put in a one-line message: control characters
 * (ESC, BEL, newlines...) are written as escapes so that they cannot retitle or clear a
 * terminal, and anything longer than {@link #MAX_CHARS} characters is cut with an ellipsis.
 */
public final class Quoted {
    /** The most characters of a value a message shows. */
    public static final int MAX_CHARS = 120;

    private Quoted() {
    }

    /**
     * {@code value} escaped, capped and between single quotes: {@code 'gpt\u001b]0;x'} becomes {@code 'gpt\x1b]0;x'}.
     *
     * @param value the text to quote; null is written as {@code 'null'}
     * @return the escaped text between single quotes, with "…" before the closing quote when it was cut
     */
    public static String of(String value) {
        return "'" + escape(value, MAX_CHARS) + "'";
    }

    /**
     * Escapes control characters and caps the text at {@code maxChars} characters of the original
     * (then "…"). Tabs, newlines and carriage returns become {@code \t \n \r}; other C0/C1 controls,
     * DEL, lone surrogates and bidirectional overrides become {@code \xNN} or {@code \\uNNNN}.
     *
     * @param value    the text to escape; null is written as {@code null}
     * @param maxChars how many characters of {@code value} to keep at most (one fewer rather than cut a surrogate pair)
     * @return the escaped text, without quotes
     */
    public static String escape(String value, int maxChars) {
        if (value == null) {
            return "null";
        }
        int end = Math.min(value.length(), maxChars);
        if (end < value.length() && Character.isHighSurrogate(value.charAt(end - 1))) {
            end--; // do not cut a pair in two
        }
        StringBuilder out = new StringBuilder(end + 8);
        for (int i = 0; i < end; i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || (c >= 0x7f && c < 0xa0)) {
                        out.append(String.format("\\x%02x", (int) c));
                    } else if (isBidiControl(c) || isLoneSurrogate(value, i)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        if (end < value.length()) {
            out.append('…');
        }
        return out.toString();
    }

    /**
     * The whole of a message with its control characters escaped (no cap): the last guard before a terminal.
     *
     * @param message the message to print
     * @return the message on one line, its control characters escaped
     */
    public static String line(String message) {
        return escape(message, Integer.MAX_VALUE);
    }

    private static boolean isBidiControl(char c) {
        return (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069');
    }

    private static boolean isLoneSurrogate(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
        }
        if (Character.isLowSurrogate(c)) {
            return i == 0 || !Character.isHighSurrogate(s.charAt(i - 1));
        }
        return false;
    }
}
