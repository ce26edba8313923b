package dev.jgpt.generate;

/** Text operations as Python defines them, which chat templates (Jinja) use. */
final class PythonText {
    private PythonText() {}

    /** {@code s.strip()}: without the whitespace at both ends, whitespace as Python's {@code str.isspace} has it. */
    static String strip(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isSpace(s.charAt(start))) {
            start++;
        }
        while (end > start && isSpace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(start, end);
    }

    /**
     * Python's whitespace: Java's whitespace plus the no-break spaces (Unicode category Zs, which
     * Java's {@code isWhitespace} leaves out) and U+0085 NEXT LINE. All are in the BMP.
     */
    static boolean isSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085';
    }
}
