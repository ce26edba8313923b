package dev.jgpt.jinja;

/**
 * jinja2's whitespace control applied to a template's source, so that the engine gets a template
 * whose text is already what jinja2 would output around each tag: {@code -} strips whitespace on
 * its side, {@code trim_blocks} drops the newline after a block or comment tag, {@code lstrip_blocks}
 * drops the indentation before one, {@code +} keeps it; comments go. (Jinjava's own trim_blocks and
 * lstrip_blocks differ from jinja2's: they keep the newline after an {@code {% endif %}} closing a
 * branch, and the indentation of tags within a line's text.)
 */
final class Whitespace {
    private Whitespace() {
    }

    static String apply(String src) {
        StringBuilder out = new StringBuilder(src.length());
        int text = 0; // where the text before the next tag starts
        boolean lineStart = true; // that text starts a line
        while (true) {
            int open = nextTag(src, text);
            if (open < 0) {
                out.append(src, text, src.length());
                return out.toString();
            }
            char kind = src.charAt(open + 1);
            int body = open + 2;
            char left = body < src.length() && (src.charAt(body) == '-' || src.charAt(body) == '+') ? src.charAt(body) : 0;
            if (left != 0) {
                body++;
            }
            int close = closing(src, body, kind);
            int end = close + 2;
            char right = close > body && (src.charAt(close - 1) == '-' || src.charAt(close - 1) == '+') ? src.charAt(close - 1) : 0;
            String before = src.substring(text, open);
            boolean block = kind == '%' || kind == '#';
            if (left == '-') {
                before = stripEnd(before);
            } else if (block && left != '+') {
                int lineFrom = before.lastIndexOf('\n') + 1;
                if ((lineFrom > 0 || lineStart) && before.substring(lineFrom).chars().allMatch(c -> c == ' ' || c == '\t')) {
                    before = before.substring(0, lineFrom);
                }
            }
            out.append(before);
            if (kind != '#') {
                out.append('{').append(kind).append(PythonSyntax.rewrite(src.substring(body, right != 0 ? close - 1 : close)))
                        .append(kind == '{' ? '}' : kind).append('}');
            }
            text = end;
            if (right == '-') {
                while (text < src.length() && PythonText.isSpace(src.charAt(text))) {
                    text++;
                }
            } else if (block && right != '+' && text < src.length() && src.charAt(text) == '\n') {
                text++;
            }
            lineStart = text > 0 && src.charAt(text - 1) == '\n';
        }
    }

    private static int nextTag(String src, int from) {
        for (int i = src.indexOf('{', from); i >= 0 && i + 1 < src.length(); i = src.indexOf('{', i + 1)) {
            char c = src.charAt(i + 1);
            if (c == '{' || c == '%' || c == '#') {
                return i;
            }
        }
        return -1;
    }

    /** Where the tag's closing delimiter starts; string literals inside expressions are skipped. */
    private static int closing(String src, int from, char kind) {
        char last = kind == '{' ? '}' : kind;
        char quote = 0;
        for (int i = from; i + 1 < src.length(); i++) {
            char c = src.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (kind != '#' && (c == '\'' || c == '"')) {
                quote = c;
            } else if (c == last && src.charAt(i + 1) == '}') {
                return i;
            }
        }
        throw new TemplateTypeError("a tag opened at offset " + from + " is never closed");
    }

    private static String stripEnd(String s) {
        int end = s.length();
        while (end > 0 && PythonText.isSpace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(0, end);
    }
}
