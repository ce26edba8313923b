package dev.jgpt.cli;

import dev.jgpt.JgptException;
import dev.jgpt.generate.LanguageModel;
import dev.jgpt.model.KvCache;
import dev.jgpt.model.ModelConfig;
import dev.jgpt.model.ModelWeights;
import dev.jgpt.model.Transformer;
import dev.jgpt.tensor.MemoryBandwidth;
import dev.jgpt.tensor.Parallel;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measure prompt processing and generation speed (tokens/s), llama-bench style.",
            "",
            "Prompt processing (ppN: N prompt tokens in one batch) and generation (tgN: N tokens one at a time) in tokens/s, "
                    + "with the machine's memory read bandwidth measured in the same run (generation is bound by it)."})
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions model = new ModelOptions();

    @Option(names = {"-p", "--n-prompt"}, paramLabel = "N", defaultValue = "128", description = "Prompt tokens; 0 skips the test (default: ${DEFAULT-VALUE}).")
    int prompt;

    @Option(names = {"-n", "--n-gen"}, paramLabel = "N", defaultValue = "64", description = "Generated tokens; 0 skips the test (default: ${DEFAULT-VALUE}).")
    int generate;

    @Option(names = {"-r", "--repetitions"}, paramLabel = "N", defaultValue = "5", description = "Timed repetitions of each test (default: ${DEFAULT-VALUE}).")
    int repetitions;

    @Option(names = "--no-bandwidth", description = "Skip the memory bandwidth measurement.")
    boolean noBandwidth;

    @Option(names = "--profile", description = "Also show where each test's time goes, by operation (matvec per weight type, attention, norms, RoPE, activations, thread hand-offs), from samples of the running threads every millisecond.")
    boolean profile;

    @Option(names = "--json", description = "Print a JSON list with llama-bench's field names.")
    boolean json;

    /** One test's outcome; {@code profile} is empty unless --profile. */
    record Result(String test, int tokens, double[] tokensPerSecond, List<SampledProfile.Share> profile) {
        double mean() {
            double sum = 0;
            for (double v : tokensPerSecond) {
                sum += v;
            }
            return sum / tokensPerSecond.length;
        }

        double stddev() {
            if (tokensPerSecond.length < 2) {
                return 0;
            }
            double mean = mean();
            double sum = 0;
            for (double v : tokensPerSecond) {
                sum += (v - mean) * (v - mean);
            }
            return Math.sqrt(sum / (tokensPerSecond.length - 1));
        }
    }

    @Override
    public Integer call() {
        if (repetitions < 1 || prompt < 0 || generate < 0) {
            throw new JgptException("-r must be at least 1 and -p, -n at least 0");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (LanguageModel lm = model.open()) {
            Transformer transformer = lm.transformer();
            ModelConfig c = lm.config();
            if (prompt > c.contextLength() || generate > c.contextLength()) {
                throw new JgptException("-p and -n must fit the context window of " + c.contextLength() + " tokens");
            }
            KvCache cache = transformer.newCache(Math.max(1, Math.max(prompt, generate)));
            SplittableRandom random = new SplittableRandom(42);
            List<Result> results = new ArrayList<>();
            double bandwidth = 0;
            if (prompt > 0) {
                int[] tokens = random.ints(prompt, 0, c.vocabSize()).toArray();
                status(err, "pp" + prompt);
                results.add(measure("pp" + prompt, () -> {
                    cache.clear();
                    transformer.forward(tokens, 0, tokens.length, cache);
                }, prompt));
            }
            if (generate > 0) {
                int[] tokens = random.ints(generate, 0, c.vocabSize()).toArray();
                status(err, "tg" + generate);
                results.add(measure("tg" + generate, () -> {
                    cache.clear();
                    for (int i = 0; i < tokens.length; i++) {
                        transformer.forward(tokens, i, i + 1, cache);
                    }
                }, generate));
                if (!noBandwidth) {
                    // measured after the tests: reading an arena buffer first would make the JIT's profiles
                    // of the memory-access code mix two segment kinds, which slowed the kernels 2× here
                    status(err, "memory bandwidth");
                    bandwidth = MemoryBandwidth.measure(3);
                }
            }
            clearStatus(err);
            report(out, lm, results, bandwidth, bytesPerToken(lm));
        }
        return 0;
    }

    /**
     * Weight bytes a generated token reads: every weight once, except the tables it reads one row
     * of, the positions and (when the output has its own matrix) the token embedding.
     */
    private static long bytesPerToken(LanguageModel lm) {
        ModelWeights w = lm.transformer().weights();
        long bytes = lm.files().weightBytes();
        if (w.positionEmbedding() != null) {
            bytes -= w.positionEmbedding().data().byteSize();
        }
        if (!lm.config().tiedOutput()) {
            bytes -= w.tokenEmbedding().data().byteSize();
        }
        return bytes;
    }

    /** Runs {@code work} once to warm up, then {@code repetitions} times (sampled with --profile); tokens/s of each timed run. */
    private Result measure(String test, Runnable work, int tokens) {
        work.run();
        double[] rates = new double[repetitions];
        try (SampledProfile sampling = profile ? new SampledProfile() : null) {
            for (int r = 0; r < repetitions; r++) {
                long start = System.nanoTime();
                work.run();
                rates[r] = tokens / ((System.nanoTime() - start) / 1e9);
            }
            return new Result(test, tokens, rates, sampling == null ? List.of() : sampling.stop());
        }
    }

    private void report(PrintWriter out, LanguageModel lm, List<Result> results, double bandwidth, long bytesPerToken) {
        ModelConfig c = lm.config();
        long size = lm.files().weightBytes();
        int threads = Parallel.threads();
        if (json) {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (Result r : results) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("model_type", c.architecture() + " " + Units.count(c.parameterCount()));
                row.put("model_size", size);
                row.put("n_params", c.parameterCount());
                row.put("n_threads", threads);
                row.put("test", r.test());
                row.put("n_prompt", r.test().startsWith("pp") ? r.tokens() : 0);
                row.put("n_gen", r.test().startsWith("tg") ? r.tokens() : 0);
                row.put("avg_ts", r.mean());
                row.put("stddev_ts", r.stddev());
                row.put("samples_ts", r.tokensPerSecond());
                if (bandwidth > 0 && r.test().startsWith("tg")) {
                    row.put("mem_read_bytes_per_s", bandwidth);
                    row.put("bandwidth_ceiling_ts", bandwidth / bytesPerToken);
                }
                if (profile) {
                    long total = r.profile().stream().mapToLong(SampledProfile.Share::samples).sum();
                    row.put("profile", r.profile().stream().map(share -> Map.of("operation", share.operation(),
                            "method", share.method(), "share", (double) share.samples() / total)).toList());
                }
                rows.add(row);
            }
            Json.print(out, rows);
            return;
        }
        String modelName = c.architecture() + " " + Units.count(c.parameterCount()).replace(" ", "") + " "
                + String.join("/", lm.files().tensors().names().stream()
                        .map(n -> lm.files().tensors().require(n).dtype().name()).distinct().toList());
        out.printf("| %-22s | %10s | %9s | %7s | %6s | %20s |%n", "model", "size", "params", "threads", "test", "t/s");
        out.printf("| %-22s | %10s | %9s | %7s | %6s | %20s |%n", "-".repeat(22), "-".repeat(10), "-".repeat(9),
                "-".repeat(7), "-".repeat(6), "-".repeat(20));
        for (Result r : results) {
            out.printf("| %-22s | %10s | %9s | %7d | %6s | %20s |%n", modelName, Units.bytes(size),
                    Units.count(c.parameterCount()), threads, r.test(),
                    String.format(Locale.ROOT, "%.2f ± %.2f", r.mean(), r.stddev()));
        }
        if (bandwidth > 0) {
            double ceiling = bandwidth / bytesPerToken;
            out.printf("%nmemory read bandwidth: %.1f GB/s (1 GiB off-heap, %d threads, best of 3, measured right after tg)%n",
                    bandwidth / 1e9, threads);
            out.printf("generation ceiling:    %.1f tokens/s (%s of weights read per token)%n", ceiling, Units.bytes(bytesPerToken));
            results.stream().filter(r -> r.test().startsWith("tg")).findFirst().ifPresent(r ->
                    out.printf("generation reaches:    %.0f%% of the ceiling%n", 100 * r.mean() / ceiling));
        }
        for (Result r : results) {
            printProfile(out, r);
        }
        out.flush();
    }

    /** The operations of one test by share of the samples; those under 0.5% are summed in one line. */
    private static void printProfile(PrintWriter out, Result r) {
        long total = r.profile().stream().mapToLong(SampledProfile.Share::samples).sum();
        if (total == 0) {
            return;
        }
        out.printf("%nwhere %s's time goes (%d samples of the running threads, 1 per ms):%n", r.test(), total);
        long rest = 0;
        for (SampledProfile.Share share : r.profile()) {
            double percent = 100.0 * share.samples() / total;
            if (percent < 0.5) {
                rest += share.samples();
            } else {
                out.printf(Locale.ROOT, "  %5.1f%%  %-44s %s%n", percent, share.operation(), share.method());
            }
        }
        if (rest > 0) {
            out.printf(Locale.ROOT, "  %5.1f%%  %s%n", 100.0 * rest / total, "(each under 0.5%)");
        }
    }

    private static void status(PrintWriter err, String what) {
        if (System.console() != null) {
            err.print("\rjgpt bench: running " + what + " ...        ");
            err.flush();
        }
    }

    private static void clearStatus(PrintWriter err) {
        if (System.console() != null) {
            err.print("\r" + " ".repeat(60) + "\r");
            err.flush();
        }
    }
}
