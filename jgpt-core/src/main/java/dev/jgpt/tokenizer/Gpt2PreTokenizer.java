package dev.jgpt.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GPT-2's pre-tokenization: text is cut into words, numbers, runs of punctuation and runs of
 * whitespace by OpenAI's regex, and BPE then works inside each piece only.
 *
 * <p>UNICODE_CHARACTER_CLASS makes {@code \s} the Unicode White_Space property (no-break space,
 * ideographic space, ...), as in Python's {@code regex} module and Hugging Face's Oniguruma;
 * {@code \p{L}} and {@code \p{N}} are Unicode general categories either way. The contractions
 * are case-sensitive ASCII, exactly as in GPT-2.
 */
final class Gpt2PreTokenizer {
    static final Pattern PATTERN = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
            Pattern.UNICODE_CHARACTER_CLASS);

    private Gpt2PreTokenizer() {}

    /** The pieces of {@code text}, in order; together they spell {@code text} exactly. */
    static List<String> split(String text) {
        List<String> pieces = new ArrayList<>();
        Matcher m = PATTERN.matcher(text);
        while (m.find()) {
            pieces.add(m.group());
        }
        return pieces;
    }
}
