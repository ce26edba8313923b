package dev.jgpt.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The pre-tokenizers against Python's {@code regex} module (an independent engine with Unicode
 * properties) on varied text: GPT-2's, Llama 3's and Qwen2's regexes as the models' own
 * {@code tokenizer.json} files write them, every other pre-tokenizer's regex list as jgpt has it
 * (llama.cpp's), cut in turn the way llama.cpp cuts. Skipped when python3 or its {@code regex}
 * module is missing.
 *
 * <p>The texts leave out {@code ſ} (U+017F) and the Kelvin sign (U+212A): the models'
 * {@code (?i:'s|...)} folds them into {@code s} and {@code k} under full Unicode case folding,
 * where jgpt, like llama.cpp, folds ASCII letters only.
 */
class PreTokenizerOracleTest {
    /** The regexes as published with the models (OpenAI's GPT-2 encoder.py; Llama 3's and Qwen2's tokenizer.json). */
    private static final Map<PreTokenizer, String> PUBLISHED = Map.of(
            PreTokenizer.GPT2, "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
            PreTokenizer.LLAMA3, "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
            PreTokenizer.QWEN2, "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+");

    /**
     * Reads {"patterns": [...], "texts": [...]} and writes, for each text, its pieces: each
     * pattern in turn cuts every piece into its matches and the text between them.
     */
    private static final String PYTHON = """
            import json, sys, regex
            job = json.loads(sys.stdin.buffer.read())
            patterns = [regex.compile(p) for p in job["patterns"]]
            def cut(p, piece):
                out, done = [], 0
                for m in p.finditer(piece):
                    if m.start() > done: out.append(piece[done:m.start()])
                    if m.end() > m.start(): out.append(m.group())
                    done = m.end()
                if done < len(piece): out.append(piece[done:])
                return out
            def split(text):
                pieces = [text]
                for p in patterns:
                    pieces = [q for piece in pieces for q in cut(p, piece)]
                return pieces
            json.dump([split(t) for t in job["texts"]], sys.stdout)
            """;

    /** Bits of text that stress the regexes; random strings are glued from them. */
    private static final List<String> FRAGMENTS = List.of(
            "Hello", "world", " the", "I'm", "I'M", "you're", "YOU'RE", "they'Ve", "we'll", "WE'LL", "she'd", "it's", "IT'S",
            "don't", "DON'T", "'s", "'t", "''", "'", "o'clock", "rock'n'roll",
            "1", "12", "123", "1234", "1234567", "3.14159", "1,000,000", "2024-06-01", "٣٤٥", "²³", "Ⅻ", "½",
            "naïve", "café", "Ελληνικά", "русский", "日本語", "한국어", "עברית", "e\u0301", "ﬁ",
            "🙂", "👍🏽", "🇫🇷", "…", "...", "!!!", "?!", "(", ")", "[x]", "{", "}", "<|im_start|>", "#", "$5", "C++", "a_b", "--",
            " ", "  ", "   ", "\t", "\n", "\n\n", "\r\n", " \n", "\n ", "  \n  ", "\u00a0", "\u3000", "\u2028",
            "HelloWorld", "camelCase", "XMLHttpRequest", "ǅemal", "中文字符", "ひらがな", "カタカナ", "漢字かな", "ภาษาไทย", "ຄຳ", "ខ្មែរ",
            "မြန်မာ", "、。", "！？", "“quoted”", "—", "।", "۔", "،", "a/b/c", "./x", "<sentinel:12>", "IMGIMGABZ", "1234567890",
            "Ünïcödé", "ﬃ", "𝔘𝔫𝔦", "𐐀𐐨", "        ", "\t\t");

    @Test
    void splitsAsPythonRegexDoes() throws Exception {
        List<String> texts = new ArrayList<>(FRAGMENTS);
        texts.addAll(List.of("", "Hello world", " Hello world", "Hello  world  ", "\n\n\nabc\n", "   leading and trailing   ",
                "I'M SURE it'S fine, ISN'T it?", "12345678901 apples", "x=1234;y=56", "tab\there", "a\r\n\r\nb"));
        Random random = new Random(4);
        for (int i = 0; i < 400; i++) {
            StringBuilder sb = new StringBuilder();
            for (int k = 1 + random.nextInt(8); k > 0; k--) {
                sb.append(FRAGMENTS.get(random.nextInt(FRAGMENTS.size())));
            }
            texts.add(sb.toString());
        }
        for (PreTokenizer pre : PreTokenizer.values()) {
            List<List<String>> expected = python(PUBLISHED.containsKey(pre) ? List.of(PUBLISHED.get(pre)) : pre.regexes(), texts);
            for (int i = 0; i < texts.size(); i++) {
                assertThat(pre.split(texts.get(i))).as("%s pieces of \"%s\"", pre, texts.get(i)).isEqualTo(expected.get(i));
            }
        }
    }

    private static List<List<String>> python(List<String> patterns, List<String> texts) throws IOException, InterruptedException {
        ObjectNode job = Json.MAPPER.createObjectNode();
        patterns.forEach(job.putArray("patterns")::add);
        texts.forEach(job.putArray("texts")::add);
        Process process;
        try {
            process = new ProcessBuilder("python3", "-c", PYTHON).start();
        } catch (IOException e) {
            assumeTrue(false, "python3 is not available, skipping the pre-tokenizer oracle: " + e.getMessage());
            throw e;
        }
        // UTF-8 in (read as bytes by Python), ASCII JSON out: neither side's default charset matters
        process.getOutputStream().write(Json.MAPPER.writeValueAsString(job).getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
        byte[] out = process.getInputStream().readAllBytes();
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("python3 finished").isTrue();
        assumeTrue(process.exitValue() == 0 || !err.contains("No module named 'regex'"),
                "python3 has no regex module (pip install regex), skipping the pre-tokenizer oracle");
        assertThat(process.exitValue()).as("python3 exit status; stderr: %s", err).isZero();
        return Json.MAPPER.readValue(out, new TypeReference<>() {});
    }
}
