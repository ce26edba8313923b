package dev.jgpt.tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How byte-level BPE cuts text into pieces before merging: each regex match is one piece, and
 * BPE works inside a piece only. Named as GGUF's {@code tokenizer.ggml.pre} names them.
 *
 * <p>UNICODE_CHARACTER_CLASS makes {@code \s} the Unicode White_Space property (no-break space,
 * ideographic space, ...), as in Python's {@code regex} module and Hugging Face's Oniguruma;
 * {@code \p{L}} and {@code \p{N}} are Unicode general categories either way.
 */
public enum PreTokenizer {
    /** GPT-2's regex: case-sensitive ASCII contractions, letters, digit runs, other runs, spaces. */
    GPT2("gpt-2", "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+"),
    /**
     * Llama 3's regex: contractions in any case, a word may take one leading non-letter (not a
     * line break), numbers in groups of at most three digits, punctuation keeps its line breaks.
     */
    LLAMA3("llama-bpe", PreTokenizer.CONTRACTIONS_ANY_CASE + "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"),
    /** Qwen2's regex: Llama 3's with every digit a piece of its own. */
    QWEN2("qwen2", PreTokenizer.CONTRACTIONS_ANY_CASE + "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+");

    /**
     * The models' own regexes write {@code (?i:'s|'t|'re|'ve|'m|'ll|'d)}; spelled out with ASCII
     * classes, as llama.cpp does, because Java's {@code (?i)} under UNICODE_CHARACTER_CLASS would
     * also fold {@code ſ} into {@code s} and the Kelvin sign into {@code k}.
     */
    private static final String CONTRACTIONS_ANY_CASE = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])";

    private final String ggufName;
    private final Pattern pattern;

    PreTokenizer(String ggufName, String regex) {
        this.ggufName = ggufName;
        this.pattern = Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS);
    }

    /** The name GGUF's {@code tokenizer.ggml.pre} gives it. */
    public String ggufName() {
        return ggufName;
    }

    /** The pre-tokenizer GGUF calls {@code name}, if jgpt has it. */
    public static Optional<PreTokenizer> ofGgufName(String name) {
        return Arrays.stream(values()).filter(p -> p.ggufName.equals(name)).findFirst();
    }

    /** The regex; every character of a text belongs to exactly one match. */
    Pattern pattern() {
        return pattern;
    }

    /** The pieces of {@code text}, in order; together they spell {@code text} exactly. */
    public List<String> split(String text) {
        List<String> pieces = new ArrayList<>();
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            pieces.add(m.group());
        }
        return pieces;
    }
}
