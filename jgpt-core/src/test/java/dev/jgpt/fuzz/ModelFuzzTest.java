package dev.jgpt.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jgpt.JgptException;
import dev.jgpt.TinyModels;
import dev.jgpt.convert.GgufModelWriter;
import dev.jgpt.convert.RandomModel;
import dev.jgpt.format.GgufArray;
import dev.jgpt.format.GgufNames;
import dev.jgpt.format.GgufType;
import dev.jgpt.format.GgufValue;
import dev.jgpt.format.TensorScan;
import dev.jgpt.generate.GenerationSettings;
import dev.jgpt.generate.LanguageModel;
import dev.jgpt.generate.TokenListener;
import dev.jgpt.model.ModelConfig;
import dev.jgpt.sampling.SamplerSettings;
import dev.jgpt.tensor.DType;
import dev.jgpt.tokenizer.CharTokenizer;
import dev.jgpt.tokenizer.TokenizerJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutated model files, opened as a user opens them: each case either opens and generates a few
 * tokens, or fails with a JgptException, within a time bound. A hang or any other throwable
 * fails the test, naming the case's seed and mutation. {@code -Dfuzz.cases=N} and
 * {@code -Dfuzz.seed=S} run other cases; {@code -Dfuzz.case=K} replays case K of a seed alone.
 */
class ModelFuzzTest {
    private static final int CASES = Integer.getInteger("fuzz.cases", 2000);
    private static final long SEED = Long.getLong("fuzz.seed", 1);
    private static final int ONLY = Integer.getInteger("fuzz.case", -1);
    private static final long TIME_LIMIT_SECONDS = Long.getLong("fuzz.timeout", 20);
    private static final String OPENED = "opened and generated";

    @TempDir
    static Path dir;

    private static List<Mutations.Model> bases;

    @BeforeAll
    static void makeBaseModels() {
        bases = List.of(
                folder("gpt2-f32", DType.F32),
                folder("gpt2-bf16", DType.BF16),
                gguf("llama-f32", TinyModels.llamaContents(DType.F32)),
                gguf("llama-q8_0", TinyModels.llamaContents(DType.Q8_0)),
                gguf("llama-q5_0", TinyModels.llamaContents(DType.Q5_0)),
                gguf("gpt2-f16", gpt2Gguf()),
                gguf("llama-spm-f16", sentencePieceLlama()),
                characterLevel());
    }

    @Test
    void everyBaseModelOpensAndGenerates() throws IOException {
        for (Mutations.Model base : bases) {
            assertThat(run(base, dir.resolve("base-" + base.name()), true)).as(base.name()).isEqualTo(OPENED);
        }
    }

    @Test
    void mutatedFilesOpenAndGenerateOrFailWithAJgptException() {
        Map<String, Integer> outcomes = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        ExecutorService worker = newWorker();
        long start = System.nanoTime();
        for (int i = 0; i < CASES && failures.size() < 20; i++) {
            if (ONLY >= 0 && i != ONLY) {
                continue;
            }
            Random random = new Random(SEED * 1_000_003L + i);
            Mutations.Mutant mutant = Mutations.of(bases.get(random.nextInt(bases.size())), random);
            boolean scan = random.nextBoolean();
            String replay = "case " + i + " (-Dfuzz.seed=" + SEED + " -Dfuzz.case=" + i + ") " + mutant.description()
                    + (scan ? " + check-tensors" : "");
            Path where = dir.resolve("case-" + i);
            Future<String> outcome = worker.submit(() -> run(mutant.model(), where, scan));
            try {
                outcomes.merge(outcome.get(TIME_LIMIT_SECONDS, TimeUnit.SECONDS), 1, Integer::sum);
            } catch (TimeoutException e) {
                failures.add(replay + ": no outcome within " + TIME_LIMIT_SECONDS + " s");
                outcomes.merge("other: no outcome in time", 1, Integer::sum);
                break; // the stuck case keeps its thread and its memory: the cases after it would not be fair
            } catch (ExecutionException e) {
                failures.add(replay + ": " + e.getCause());
                outcomes.merge("other: " + e.getCause().getClass().getSimpleName(), 1, Integer::sum);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } finally {
                delete(where);
            }
        }
        worker.shutdownNow();
        String summary = summary(outcomes, (System.nanoTime() - start) / 1e9);
        System.out.println(summary);
        assertThat(failures).as(summary).isEmpty();
    }

    /** Opens the model written to {@code where} and generates 3 tokens; the outcome, or a JgptException's kind. */
    private static String run(Mutations.Model model, Path where, boolean scan) throws IOException {
        Files.createDirectories(where);
        for (Map.Entry<String, byte[]> file : model.files().entrySet()) {
            Files.write(where.resolve(file.getKey()), file.getValue());
        }
        Path path = model.gguf() ? where.resolve(Mutations.GGUF) : where;
        try (LanguageModel lm = LanguageModel.open(path)) {
            if (scan) {
                TensorScan.checkFinite(lm.files().tensors(), (done, total) -> { });
            }
            lm.generate("the cat sat", GenerationSettings.of(3, SamplerSettings.defaults(7)), TokenListener.NONE);
            return OPENED;
        } catch (JgptException e) {
            return "JgptException: " + kind(e.getMessage(), where);
        }
    }

    /** A message with its file, numbers and quoted text taken out: the kind of problem it reports. */
    static String kind(String message, Path where) {
        String kind = message.replace(where.toString(), "").replaceFirst("^(/?[\\w.]*: )+", "")
                .replaceAll("'(?:[^'\\\\]|\\\\.)*'…?", "'…'").replaceAll("-?\\d+(\\.\\d+)?(E-?\\d+)?", "N");
        return kind.length() > 90 ? kind.substring(0, 90) + "…" : kind;
    }

    private static String summary(Map<String, Integer> outcomes, double seconds) {
        int total = outcomes.values().stream().mapToInt(Integer::intValue).sum();
        StringBuilder out = new StringBuilder(String.format("fuzz: %d cases (seed %d) in %.1f s%n", total, SEED, seconds));
        int jgpt = outcomes.entrySet().stream().filter(e -> e.getKey().startsWith("JgptException")).mapToInt(Map.Entry::getValue).sum();
        out.append(String.format("  %6d %s%n  %6d JgptException, by kind:%n", outcomes.getOrDefault(OPENED, 0), OPENED, jgpt));
        outcomes.entrySet().stream().filter(e -> e.getKey().startsWith("JgptException"))
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .forEach(e -> out.append(String.format("    %6d %s%n", e.getValue(), e.getKey().substring("JgptException: ".length()))));
        outcomes.entrySet().stream().filter(e -> e.getKey().startsWith("other"))
                .forEach(e -> out.append(String.format("  %6d %s%n", e.getValue(), e.getKey())));
        return out.toString();
    }

    private static ExecutorService newWorker() {
        return Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "fuzz-case");
            thread.setDaemon(true);
            return thread;
        });
    }

    private static Mutations.Model folder(String name, DType dtype) {
        return folder(name, TinyModels.gpt2Folder(dir.resolve(name), dtype));
    }

    private static Mutations.Model folder(String name, Path folder) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (String file : List.of(Mutations.CONFIG, Mutations.WEIGHTS, Mutations.TOKENIZER)) {
            files.put(file, read(folder.resolve(file)));
        }
        return new Mutations.Model(name, files);
    }

    private static Mutations.Model gguf(String name, GgufModelWriter.Contents contents) {
        Path file = dir.resolve(name + ".gguf");
        contents.write(file);
        return new Mutations.Model(name, Map.of(Mutations.GGUF, read(file)));
    }

    /** A GPT-2 as a GGUF file: fused q, k, v and learned positions, F16 matrices. */
    private static GgufModelWriter.Contents gpt2Gguf() {
        GgufModelWriter.Contents contents = RandomModel.gguf(TinyModels.GPT2, DType.F16, 2);
        contents.metadata().putAll(GgufModelWriter.vocabulary(TinyModels.TOKENIZER, TinyModels.VOCAB));
        return contents;
    }

    /** A Llama with a SentencePiece vocabulary (llama.cpp's "llama" tokenizer): unknown, BOS, EOS, 256 byte tokens, pieces. */
    private static GgufModelWriter.Contents sentencePieceLlama() {
        List<String> tokens = new ArrayList<>(List.of("<unk>", "<s>", "</s>"));
        List<Long> types = new ArrayList<>(List.of(2L, 3L, 3L));
        for (int b = 0; b < 256; b++) {
            tokens.add(String.format("<0x%02X>", b));
            types.add(6L);
        }
        for (String piece : List.of("\u2581", "\u2581the", "\u2581cat", "\u2581sat", "t", "h", "e", "a", "c", "s", "\u2581t", "th", "at")) {
            tokens.add(piece);
            types.add(1L);
        }
        float[] scores = new float[tokens.size()];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = -i;
        }
        ModelConfig l = TinyModels.LLAMA;
        ModelConfig config = new ModelConfig(l.architecture(), l.layers(), l.heads(), l.kvHeads(), l.embd(), l.mlpHidden(),
                l.contextLength(), tokens.size(), l.normEps(), l.tiedOutput());
        GgufModelWriter.Contents contents = RandomModel.gguf(config, DType.F16, 3);
        Map<String, GgufValue> m = contents.metadata();
        m.put(GgufNames.TOKENIZER_MODEL, GgufValue.string("llama"));
        m.put(GgufNames.TOKENS, GgufArray.ofStrings(tokens));
        m.put("tokenizer.ggml.scores", GgufArray.ofFloats(scores));
        m.put(GgufNames.TOKEN_TYPE, GgufArray.ofIntegers(GgufType.INT32, types.stream().mapToLong(Long::longValue).toArray()));
        m.put(GgufNames.BOS_ID, GgufValue.u32(1));
        m.put(GgufNames.EOS_ID, GgufValue.u32(2));
        m.put("tokenizer.ggml.unknown_token_id", GgufValue.u32(0));
        return contents;
    }

    /** A GPT-2 folder whose tokenizer.json is character-level. */
    private static Mutations.Model characterLevel() {
        CharTokenizer tokenizer = CharTokenizer.fromCorpus("the cat sat on the mat.");
        Path folder = dir.resolve("gpt2-chars");
        RandomModel.write(ModelConfig.gpt2(2, 2, 16, 32, tokenizer.vocabSize()), DType.F32, 4, folder);
        TokenizerJson.write(tokenizer, folder.resolve(Mutations.TOKENIZER));
        return folder("gpt2-chars", folder);
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(Path where) {
        try (Stream<Path> paths = Files.walk(where)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a case that left its files open: the temporary folder goes at the end
        }
    }
}
