package dev.jgpt.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jgpt.constrain.Gbnf;
import dev.jgpt.constrain.Grammar;
import dev.jgpt.constrain.JsonSchema;
import dev.jgpt.constrain.TokenMask;
import dev.jgpt.tokenizer.Tokenizer;
import dev.jgpt.tokenizer.TokenizerLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What constrained decoding costs per token: one {@link TokenMask#apply} over GPT-2's vocabulary
 * (50257 tokens, from {@code ../shared/tokenizer/gpt2} or {@code -Dgpt2=DIR}) at a place in the
 * text: inside a string value (nearly every token continues it), right after '{' (only keys may
 * follow), and inside a number.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -jar jgpt-bench/target/benchmarks.jar TokenMaskBench -f 1 -wi 3 -i 5
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Benchmark)
public class TokenMaskBench {
    private static final String SCHEMA = "{\"type\": \"object\", \"properties\": {\"name\": {\"type\": \"string\"},"
            + " \"age\": {\"type\": \"integer\"}, \"tags\": {\"type\": \"array\", \"items\": {\"enum\": [\"a\", \"b\"]}}},"
            + " \"required\": [\"name\", \"age\", \"tags\"], \"additionalProperties\": false}";

    @Param({"schema", "json_object", "gbnf"})
    public String grammar;

    /** The text written so far: inside a string, after '{', inside a number. */
    @Param({"{\"name\":\"Ann", "{", "{\"age\":12"})
    public String prefix;

    private TokenMask mask;
    private float[] logits;

    @Setup
    public void setUp() throws IOException {
        Path dir = Path.of(System.getProperty("gpt2", "../shared/tokenizer/gpt2"));
        Tokenizer tokenizer = TokenizerLoader.fromVocabAndMerges(dir.resolve("vocab.json"), dir.resolve("merges.txt"));
        Grammar g = switch (grammar) {
            case "schema" -> JsonSchema.compile(new ObjectMapper().readTree(SCHEMA));
            case "json_object" -> JsonSchema.anyObject();
            case "gbnf" -> Gbnf.parse(Gbnf.JSON_OBJECT);
            default -> throw new IllegalArgumentException(grammar);
        };
        mask = new TokenMask(g, tokenizer, tokenizer.eosId().stream().toArray(), tokenizer.vocabSize());
        for (int id : tokenizer.encode(prefix)) {
            mask.accept(id);
        }
        logits = new float[tokenizer.vocabSize()];
    }

    @Benchmark
    public float[] apply() {
        mask.apply(logits, 1000);
        return logits;
    }
}
