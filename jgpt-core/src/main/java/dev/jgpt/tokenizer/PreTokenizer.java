package dev.jgpt.tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How byte-level BPE cuts text into pieces before merging, as llama.cpp does for each
 * {@code tokenizer.ggml.pre} name it knows: a list of regexes applied in turn, each cutting
 * every piece the previous ones left into its matches and the text between them; BPE then works
 * inside a piece only. Names that share regexes and flags share a constant. The regexes are
 * llama.cpp's, which spell the models' own {@code (?i:'s|...)} out in ASCII classes; where
 * llama.cpp writes a character range that is a Unicode class (DeepSeek's cased letters) or runs
 * a hand-written splitter (Kimi-K2, AFMoE's digits), the class or the regex it implements is used.
 *
 * <p>UNICODE_CHARACTER_CLASS makes {@code \s} the Unicode White_Space property (no-break space,
 * ideographic space, ...) and {@code \d}, {@code \b} Unicode's, as in Python's {@code regex}
 * module and Hugging Face's Oniguruma; {@code \p{L}} and {@code \p{N}} are Unicode general
 * categories either way.
 */
public enum PreTokenizer {
    /** GPT-2's regex: case-sensitive ASCII contractions, letters, digit runs, other runs, spaces. */
    GPT2(names("gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v2-es", "jina-v2-de", "a.x-4.0", "mellum", "modern-bert",
            "jina-v1-en", "jina-v2-code", "roberta-bpe", "exaone4", "mpt", "olmo", "jais", "trillion", "granite-docling"),
            false, false, Rx.GPT2 + "|\\s+"),
    /**
     * Llama 3's regex: contractions in any case, a word may take one leading non-letter (not a
     * line break), numbers in groups of at most three digits, punctuation keeps its line breaks.
     */
    LLAMA3(names("llama-bpe", "llama3", "llama-v3", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2", "jina-v5-nano"),
            true, true, Rx.LLAMA3),
    /** Llama 3's regex without its flags. */
    DBRX(names("dbrx", "smaug-bpe", "glm4", "chatglm-bpe"), false, false, Rx.LLAMA3),
    /** Qwen2's regex: Llama 3's with every digit a piece of its own. */
    QWEN2(names("qwen2", "deepseek-r1-qwen", "kormo", "f2llmv2", "megrez", "stablelm2", "hunyuan", "solar-open", "grok-2"),
            false, false, Rx.QWEN2),
    /** llama.cpp's fallback: punctuation runs, GPT-2's regex, digit runs, three-digit groups. */
    DEFAULT(names("default"), false, false, "[\\p{P}\\$\\+<=>\\^~\\|]+", Rx.GPT2, "\\p{N}+", "[0-9][0-9][0-9]"),
    /** StarCoder's: every digit alone, then GPT-2's regex. */
    STARCODER(names("starcoder", "refact", "command-r", "smollm", "codeshell", "exaone", "minerva-7b", "mellum2"),
            false, false, "\\p{N}", Rx.GPT2),
    FALCON(names("falcon"), false, false, "[\\p{P}\\$\\+<=>\\^~\\|`]+", Rx.GPT2, "[0-9][0-9][0-9]"),
    /** Llama 3's regex with whitespace runs cut into power-of-two lengths. */
    JAIS2(names("jais-2"), false, false, Rx.CONTRACTIONS + "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*"
            + "|\\s*[\\r\\n]+|\\s{512}(?!\\S)|\\s{256}(?!\\S)|\\s{128}(?!\\S)|\\s{64}(?!\\S)|\\s{32}(?!\\S)|\\s{16}(?!\\S)|\\s{8}(?!\\S)"
            + "|\\s{4}(?!\\S)|\\s{1,2}(?!\\S)|\\s{1}"),
    DEEPSEEK_LLM(names("deepseek-llm"), false, false, "[\r\n]", "\\s?[\\p{Lu}\\p{Ll}\\p{Lt}]+",
            "\\s?[!-/:-~\uFF01-\uFF0F\uFF1A-\uFF5E\u2018-\u201F\u3000-\u3002]+", "\\s+$", Rx.CJK_HANGUL, "\\p{N}+"),
    DEEPSEEK_CODER(names("deepseek-coder"), false, false, "[\r\n]", "\\s?\\p{L}+", "\\s?\\p{P}+", Rx.CJK_HANGUL, "\\p{N}"),
    DEEPSEEK3(names("deepseek-v3", "hunyuan-dense", "hy_v4", "joyai-llm"), false, false, "\\p{N}{1,3}", Rx.CJK_KANA,
            Rx.ASCII_PUNCT_WORD + "|[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+| ?[\\p{P}\\p{S}]+[\r\n]*|\\s*[\r\n]+|\\s+(?!\\S)|\\s+"),
    SPARK2_5(names("spark2_5"), false, false, "\\p{N}{1,3}", Rx.CJK_KANA,
            Rx.ASCII_PUNCT_WORD + "|[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+| ?[\\p{P}\\p{S}]+|[\r\n]|\\s+(?!\\S)|\\s+", "\\p{N}"),
    YOUTU(names("youtu"), true, false,
            "[\uAC00-\uD7A3\u3131-\u318E]+|[\uFF01\u2026\u201C\u201D\u2018\u2019\u2014\uFF1A\uFF1B\uFF0C\u3001-\u303F\uFE30-\uFE4F]+|[\u3105-\u312F]+|"
                    + Rx.CJK_KANA,
            Rx.CASED_WORDS + "|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"),
    QWEN35(names("qwen35"), false, false, Rx.CONTRACTIONS + "|[^\\r\\n\\p{L}\\p{N}]?[\\p{L}\\p{M}]+|\\p{N}| ?[^\\s\\p{L}\\p{M}\\p{N}]+[\\r\\n]*"
            + "|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"),
    /** BLOOM's: runs of anything but whitespace and sentence punctuation, with one leading space. */
    BLOOM(names("bloom", "poro-chat", "gpt3-finnish"), false, false, Rx.BLOOM),
    VIKING(names("viking"), false, false, Rx.BLOOM, "\\p{N}"),
    /** Mistral's Tekken: words split at case changes, single digits. */
    TEKKEN(names("tekken"), true, true, Rx.caseWords("\\p{L}", "") + "|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"),
    CHAMELEON(names("chameleon"), false, true, "<sentinel:[0-9]+>", "(IMGIMG)((A|B|C|D|E|F|G|H|I){1,4})Z", "([\\t\\n]|    |  )", "\\p{N}",
            "[\\p{P}!-/:-@\\[-`{-~]", Rx.GPT2),
    /** GPT-4o's (o200k): words split at case changes with their contraction, numbers in threes. */
    GPT4O(names("gpt-4o", "llama4", "kanana2", "talkie", "minimax-m2"), false, false, Rx.caseWords("\\p{L}", Rx.CONTRACTIONS + "?") + Rx.O200K_REST),
    GRANITE_EMBED_MULTI(names("granite-embed-multi-97m"), true, false, Rx.caseWords("\\p{L}\\p{M}", Rx.CONTRACTIONS + "?") + Rx.O200K_REST),
    TINY_AYA(names("tiny_aya", "cohere2moe"), false, false, "\\d{1,3}(?=(?:\\d{3})*\\b)", Rx.CASED_WORDS + Rx.O200K_REST),
    /** Kimi-K2's: Han runs, then GPT-4o's words of the other scripts. */
    KIMI_K2(names("kimi-k2"), false, false, "\\p{sc=Han}+|" + Rx.casedWords("(?:(?!\\p{sc=Han})", ")")
            + "|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"),
    /** Digit runs cut into threes from the right. */
    SUPERBPE(names("superbpe"), false, false, "\\p{N}+", "(?=(\\d{3})+(?!\\d))"),
    BAILINGMOE(names("bailingmoe", "bailingmoe2", "llada-moe"), false, false,
            "'(?:[sSdDmMtT]|[lL][lL]|[vV][eE]|[rR][eE])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]|\\s+(?!\\S)|\\s+"),
    SEED_CODER(names("seed-coder"), false, false,
            Rx.CONTRACTIONS + "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1}| ?[^\\s\\p{L}\\p{N}\\r\\n]+|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"),
    /** Qwen2's regex without the contractions, so that Turkish suffixes after an apostrophe stay on their word. */
    UFAKZEKA(names("ufakzeka"), false, false, "[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"),
    /** AFMoE's: digit runs in threes from the right, East and South-East Asian script runs, then words. */
    AFMOE(names("afmoe"), false, false, "\\p{N}{1,3}(?=(?:\\p{N}{3})*(?!\\p{N}))",
            "[\u4E00-\u9FFF\u3400-\u4DBF\uF900-\uFAFF\u3040-\u309F\u30A0-\u30FF\uFF65-\uFF9F\u2F00-\u2FDF\u0E00-\u0E7F\u0E80-\u0EFF"
                    + "\u1780-\u17FF\u1000-\u109F\uAA60-\uAA7F\uA9E0-\uA9FF\uAC00-\uD7AF\u1100-\u11FF]+",
            Rx.ASCII_PUNCT_WORD + "|[^\\r\\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+| ?[\\p{P}\\p{S}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"),
    /** Lines first, then Qwen2's regex. */
    LAGUNA(names("laguna"), false, false, "[^\\n]+|[\\n]+", Rx.QWEN2),
    EXAONE_MOE(names("exaone-moe"), false, false, Rx.CONTRACTIONS + "|[^\\r\\n\\p{L}\\p{N}]?(?:\\p{L}\\p{M}*(?: \\p{L}\\p{M}*)*)+|\\p{N}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]?|\\s*[\\r\\n]|\\s+(?!\\S)|\\s+"),
    MINICPM5(names("minicpm5"), true, false, "\\p{N}{1,3}",
            Rx.CONTRACTIONS + "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}+| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+");

    /** Names llama.cpp knows whose vocabularies are BPE over raw UTF-8 (no byte-to-character map), which jgpt does not read. */
    public static final Set<String> RAW_UTF8_NAMES = Set.of("gemma4", "granite-embed-multi-311m", "sarvam-moe", "whitespace");

    /** Regex parts several pre-tokenizers share. */
    private static final class Rx {
        /**
         * The models' {@code (?i:'s|'t|'re|'ve|'m|'ll|'d)} spelled out with ASCII classes, as
         * llama.cpp does: Java's {@code (?i)} under UNICODE_CHARACTER_CLASS would also fold
         * {@code ſ} into {@code s} and the Kelvin sign into {@code k}.
         */
        static final String CONTRACTIONS = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])";
        /** GPT-2's regex without its last alternative (what it leaves is a piece anyway). */
        static final String GPT2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)";
        static final String LLAMA3 = CONTRACTIONS + "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
        static final String QWEN2 = CONTRACTIONS + "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
        /** CJK ideographs (to U+9FA5), the run before them from U+0800, and Hangul syllables. */
        static final String CJK_HANGUL = "[\u4E00-\u9FA5\u0800-\u4E00\uAC00-\uD7FF]+";
        /** CJK ideographs (to U+9FA5), hiragana and katakana. */
        static final String CJK_KANA = "[\u4E00-\u9FA5\u3040-\u309F\u30A0-\u30FF]+";
        static final String ASCII_PUNCT_WORD = "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+";
        static final String BLOOM = " ?[^(\\s|.,!?\u2026\u3002\uFF0C\u3001\u0964\u06D4\u060C)]+";
        /** o200k's tail: numbers in threes, punctuation with its slashes and line breaks, spaces. */
        static final String O200K_REST = "|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
        /** o200k's words: upper-case letters then lower-case ones, or upper-case ones then lower-case ones, each with a contraction. */
        static final String CASED_WORDS = casedWords("(?:", ")");

        /** Cased words with each letter class wrapped in {@code open}...{@code close}. */
        static String casedWords(String open, String close) {
            String upper = open + "[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]" + close;
            String lower = open + "[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]" + close;
            return "[^\\r\\n\\p{L}\\p{N}]?" + upper + "*" + lower + "+" + CONTRACTIONS + "?|[^\\r\\n\\p{L}\\p{N}]?" + upper + "+" + lower + "*"
                    + CONTRACTIONS + "?";
        }

        /** llama.cpp's form of cased words (letters that are not a-z, then letters that are not A-Z), with {@code suffix} after each. */
        static String caseWords(String letter, String suffix) {
            String notLower = "((?=[" + letter + "])([^a-z]))";
            String notUpper = "((?=[" + letter + "])([^A-Z]))";
            return "[^\\r\\n\\p{L}\\p{N}]?" + notLower + "*" + notUpper + "+" + suffix + "|[^\\r\\n\\p{L}\\p{N}]?" + notLower + "+" + notUpper + "*" + suffix;
        }
    }

    private final List<String> names;
    private final boolean ignoresMerges;
    private final boolean addsBos;
    private final List<String> regexes;
    private final List<Pattern> patterns;

    PreTokenizer(List<String> names, boolean ignoresMerges, boolean addsBos, String... regexes) {
        this.names = names;
        this.ignoresMerges = ignoresMerges;
        this.addsBos = addsBos;
        this.regexes = List.of(regexes);
        this.patterns = Arrays.stream(regexes).map(r -> Pattern.compile(r, Pattern.UNICODE_CHARACTER_CLASS)).toList();
    }

    private static List<String> names(String... names) {
        return List.of(names);
    }

    /** The name GGUF's {@code tokenizer.ggml.pre} gives it (the first of its names). */
    public String ggufName() {
        return names.getFirst();
    }

    /** Every {@code tokenizer.ggml.pre} name llama.cpp gives it. */
    public List<String> ggufNames() {
        return names;
    }

    /** Whether a piece that is itself a token becomes that token without merging (llama.cpp's ignore_merges). */
    public boolean ignoresMerges() {
        return ignoresMerges;
    }

    /** Whether llama.cpp adds BOS by default for it (a file's {@code tokenizer.ggml.add_bos_token} overrides). */
    public boolean addsBos() {
        return addsBos;
    }

    /** The pre-tokenizer GGUF calls {@code name}, if jgpt has it. */
    public static Optional<PreTokenizer> ofGgufName(String name) {
        return Arrays.stream(values()).filter(p -> p.names.contains(name)).findFirst();
    }

    /** The regexes, applied in turn. */
    List<String> regexes() {
        return regexes;
    }

    /** The regex of a pre-tokenizer that has one (as GPT-2's), whose matches alone are the pieces. */
    Pattern pattern() {
        if (patterns.size() != 1) {
            throw new IllegalStateException(this + " has " + patterns.size() + " regexes");
        }
        return patterns.getFirst();
    }

    /** The pieces of {@code text}, in order, none empty; together they spell {@code text} exactly. */
    public List<String> split(String text) {
        List<String> pieces = List.of(text);
        for (Pattern pattern : patterns) {
            List<String> next = new ArrayList<>();
            for (String piece : pieces) {
                cut(pattern, piece, next);
            }
            pieces = next;
        }
        return pieces;
    }

    /** Adds the matches of {@code pattern} in {@code piece} and the text between them to {@code out}. */
    private static void cut(Pattern pattern, String piece, List<String> out) {
        Matcher m = pattern.matcher(piece);
        int done = 0;
        while (m.find()) {
            if (m.start() > done) {
                out.add(piece.substring(done, m.start()));
            }
            if (m.end() > m.start()) {
                out.add(m.group());
            }
            done = m.end();
        }
        if (done < piece.length()) {
            out.add(piece.substring(done));
        }
    }
}
