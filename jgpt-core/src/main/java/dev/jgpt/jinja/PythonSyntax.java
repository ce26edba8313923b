package dev.jgpt.jinja;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Expressions rewritten where Jinjava reads Jinja's syntax otherwise: the reversing slice
 * {@code [::-1]} becomes the {@code reverse} filter. String literals are left as they are.
 */
final class PythonSyntax {
    private static final Pattern REVERSED = Pattern.compile("\\[\\s*:\\s*:\\s*-1\\s*\\]");

    private PythonSyntax() {
    }

    static String rewrite(String expression) {
        return replace(expression, REVERSED, m -> "|reverse");
    }

    private static String replace(String s, Pattern pattern, java.util.function.Function<Matcher, String> replacement) {
        Matcher m = pattern.matcher(s);
        StringBuilder out = new StringBuilder();
        int from = 0;
        while (m.find()) {
            if (insideString(s, m.start())) {
                continue;
            }
            out.append(s, from, m.start()).append(replacement.apply(m));
            from = m.end();
        }
        return out.append(s.substring(from)).toString();
    }

    private static boolean insideString(String s, int at) {
        char quote = 0;
        for (int i = 0; i < at; i++) {
            char c = s.charAt(i);
            if (quote != 0 && c == '\\') {
                i++;
            } else if (quote != 0 && c == quote) {
                quote = 0;
            } else if (quote == 0 && (c == '\'' || c == '"')) {
                quote = c;
            }
        }
        return quote != 0;
    }
}
