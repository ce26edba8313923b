package dev.jgpt.cli;

/**
 * How lines of input make one chat message, the same typed at the prompt or piped in: a line
 * ending in a backslash goes on in the next line, and text between {@code """} markers may span
 * lines freely (backslashes in it are plain text).
 */
final class ChatInput {
    static final String BLOCK = "\"\"\"";

    private ChatInput() {}

    /** Whether the text entered so far needs more lines: a {@code """} block is open, or it ends in a backslash. */
    static boolean needsMore(String text) {
        int blocks = count(text);
        return blocks % 2 == 1 || (blocks == 0 && text.endsWith("\\"));
    }

    /** The message that complete input stands for, without the markers and surrounding whitespace. */
    static String message(String text) {
        if (count(text) > 0) {
            return text.replace(BLOCK, "").strip();
        }
        String joined = text.replace("\\\n", "\n");
        if (joined.endsWith("\\")) { // input that ended while asking for more
            joined = joined.substring(0, joined.length() - 1);
        }
        return joined.strip();
    }

    private static int count(String text) {
        int n = 0;
        for (int at = text.indexOf(BLOCK); at >= 0; at = text.indexOf(BLOCK, at + BLOCK.length())) {
            n++;
        }
        return n;
    }
}
