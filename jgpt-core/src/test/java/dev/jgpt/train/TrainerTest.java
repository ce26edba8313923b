package dev.jgpt.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.jgpt.JgptException;
import dev.jgpt.format.SafeTensors;
import dev.jgpt.model.ModelConfig;
import dev.jgpt.model.load.ModelFiles;
import dev.jgpt.tensor.DType;
import dev.jgpt.tokenizer.CharTokenizer;
import dev.jgpt.tokenizer.Tokenizer;
import dev.jgpt.tokenizer.TokenizerJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The training loop: checkpoints, exact resume, and the ways a run can be refused or stopped. */
class TrainerTest {
    private static final String TEXT = "the quick brown fox jumps over the lazy dog. ".repeat(40);
    private static final Tokenizer TOKENIZER = CharTokenizer.fromCorpus(TEXT);

    @TempDir
    Path dir;

    @Test
    void aResumedRunEndsExactlyWhereAnUninterruptedOneDoes() throws IOException {
        Path straight = dir.resolve("straight");
        List<Double> straightLosses = train(straight, 6);

        Path interrupted = dir.resolve("interrupted");
        List<Double> firstHalf = train(interrupted, 3);
        Path checkpoint = TrainingCheckpoint.find(interrupted).orElseThrow();
        TrainingState state = TrainingCheckpoint.readState(checkpoint);
        assertThat(state.step()).isEqualTo(3);
        Parameters parameters = Parameters.load(checkpoint);
        AdamW optimizer = new AdamW(parameters, settings(6).adamW());
        optimizer.load(TrainingCheckpoint.optimizerFile(checkpoint));
        List<Double> secondHalf = new ArrayList<>();
        Trainer resumed = trainer(parameters, optimizer, settings(6), interrupted, secondHalf);
        resumed.restore(state);
        resumed.run(state.step());

        // the same batches in the same order from the same state; the float sums of vector kernels may
        // differ in their last bits between interpreted and compiled code, so the comparison allows for that
        List<Double> joined = new ArrayList<>(firstHalf);
        joined.addAll(secondHalf);
        assertThat(joined).hasSameSizeAs(straightLosses);
        for (int i = 0; i < joined.size(); i++) {
            assertThat(joined.get(i)).as("loss at step %d", i + 1).isCloseTo(straightLosses.get(i), within(1e-5));
        }
        try (SafeTensors a = SafeTensors.open(interrupted.resolve("checkpoint/model.safetensors"));
             SafeTensors b = SafeTensors.open(straight.resolve("checkpoint/model.safetensors"))) {
            // as the fixtures' AdamW tolerance: Adam's normalised steps can turn a last-bit
            // difference in a near-zero gradient into a different step for that one weight
            assertThat(a.names()).containsExactlyElementsOf(b.names());
            long entries = 0;
            long far = 0;
            for (String name : a.names()) {
                float[] x = a.require(name).toFloatArray();
                float[] y = b.require(name).toFloatArray();
                for (int i = 0; i < x.length; i++) {
                    assertThat(x[i]).as("%s[%d]", name, i).isCloseTo(y[i], within(2e-3f));
                    far += Math.abs(x[i] - y[i]) > 1e-5f ? 1 : 0;
                    entries++;
                }
            }
            assertThat(far).isLessThanOrEqualTo(entries / 1000);
        }
        assertThat(Files.readAllLines(interrupted.resolve("losses.csv"))).hasSize(7);
    }

    @Test
    void batchesArePureFunctionsOfTheirIndex() {
        TokenDataset corpus = new TokenDataset("test", TOKENIZER.encode(TEXT));
        for (Batching batching : Batching.values()) {
            BatchSampler a = new BatchSampler(corpus, 3, 8, batching, 9);
            BatchSampler b = new BatchSampler(corpus, 3, 8, batching, 9);
            int[] x1 = new int[24];
            int[] y1 = new int[24];
            int[] x2 = new int[24];
            int[] y2 = new int[24];
            b.fill(4, x2, y2); // another order of calls must not matter
            a.fill(3, x1, y1);
            a.fill(4, x1, y1);
            assertThat(x1).containsExactly(x2);
            assertThat(y1).containsExactly(y2);
            // targets are the inputs shifted by one within the corpus
            assertThat(Arrays.copyOfRange(y1, 0, 7)).containsExactly(Arrays.copyOfRange(x1, 1, 8));
        }
    }

    @Test
    void sequentialBatchesReadConsecutiveWindowsAsTheFixturesDo() {
        int[] data = new int[101];
        Arrays.setAll(data, i -> i);
        BatchSampler sampler = new BatchSampler(new TokenDataset("counting", data), 2, 10, Batching.SEQUENTIAL, 0);
        int[] x = new int[20];
        int[] y = new int[20];
        sampler.fill(6, x, y);
        // step 6, rows 0 and 1: windows (6·2 + b) mod (100 div 10) = 2 and 3
        assertThat(x[0]).isEqualTo(20);
        assertThat(x[10]).isEqualTo(30);
        assertThat(y[9]).isEqualTo(30);
    }

    @Test
    void theOutputIsAModelFolderThatLoadsWithLossCurves() throws IOException {
        Path out = dir.resolve("run");
        List<Double> losses = train(out, 4);
        assertThat(losses).hasSize(4).allMatch(l -> l > 0 && l < 10);
        try (ModelFiles model = ModelFiles.open(out)) {
            assertThat(model.config().vocabSize()).isEqualTo(TOKENIZER.vocabSize());
            assertThat(model.tensors().require("wte.weight").dtype()).isEqualTo(DType.F16);
        }
        assertThat(Files.readAllLines(out.resolve("losses.csv"))).hasSize(5).first().isEqualTo("step,loss,lr,tokens_per_s,val_loss");
        assertThat(Files.readString(out.resolve("loss.svg"))).startsWith("<svg").contains("polyline");
        assertThat(dir.resolve("run").toFile().list()).doesNotContain("checkpoint.tmp", "checkpoint.old");
    }

    @Test
    void aCheckpointSwapCutShortStillResumesFromTheOldOne() throws IOException {
        Path out = dir.resolve("cut");
        train(out, 2);
        Files.move(out.resolve("checkpoint"), out.resolve("checkpoint.old"));
        Files.createDirectories(out.resolve("checkpoint.tmp"));
        assertThat(TrainingCheckpoint.find(out)).contains(out.resolve("checkpoint.old"));
        assertThat(TrainingCheckpoint.readState(out.resolve("checkpoint.old")).step()).isEqualTo(2);
    }

    @Test
    void aDivergingLossStopsTheRunAndSaysWhen() {
        Path out = dir.resolve("nan");
        TrainingSettings wild = new TrainingSettings(2, 1, 16, 50, 1e30f, 0f, 0, false, new AdamWSettings(0.9f, 0.99f, 1e-8f, 0f),
                0f, 0.2, 0, 1, 0, 10, 0, 5, Batching.RANDOM);
        assertThatThrownBy(() -> run(out, wild, new ArrayList<>()))
                .isInstanceOf(JgptException.class).hasMessageContaining("at step").hasMessageContaining("--lr");
    }

    @Test
    void badRunsAreRefusedUpFront() {
        TrainingSettings tooLong = new TrainingSettings(2, 1, 64, 5, 1e-3f, 1e-4f, 0, true, new AdamWSettings(0.9f, 0.99f, 1e-8f, 0.1f),
                1f, 0.2, 0, 1, 0, 10, 0, 5, Batching.RANDOM);
        assertThatThrownBy(() -> run(dir.resolve("long"), tooLong, new ArrayList<>())).hasMessageContaining("context window of 32");
        TrainingSettings hugeBatch = new TrainingSettings(400, 1, 16, 5, 1e-3f, 1e-4f, 0, true, new AdamWSettings(0.9f, 0.99f, 1e-8f, 0.1f),
                1f, 0.2, 0, 1, 0, 10, 0, 5, Batching.RANDOM);
        assertThatThrownBy(() -> run(dir.resolve("batch"), hugeBatch, new ArrayList<>())).hasMessageContaining("fewer than one batch needs");
        assertThatThrownBy(() -> new TrainingSettings(2, 1, 16, 5, -1f, 0f, 0, true, AdamWSettings.gpt2(), 1f, 0.1, 0, 1, 0, 0, 0, 1,
                Batching.RANDOM)).hasMessageContaining("--lr");
    }

    private List<Double> train(Path out, int steps) {
        List<Double> losses = new ArrayList<>();
        run(out, settings(steps), losses);
        return losses;
    }

    @Test
    void layersAreMeasuredAtTheStepsAskedForAndTheModelShownAtEachEvaluation() throws IOException {
        TrainingSettings settings = settings(6);
        ModelConfig config = ModelConfig.gpt2(2, 2, 16, 32, TOKENIZER.vocabSize());
        Parameters parameters = Parameters.random(config, settings.seed());
        Path out = dir.resolve("watched");
        TokenizerJson.write(TOKENIZER, out.resolve(TrainingCheckpoint.TOKENIZER));
        List<Long> measured = new ArrayList<>();
        List<Long> shown = new ArrayList<>();
        double[] norms = new double[7];
        TrainingListener listener = new TrainingListener() {
            @Override
            public void onStep(long step, long totalSteps, double loss, double learningRate, double gradientNorm, double tokensPerSecond) {
                norms[(int) step] = gradientNorm;
            }

            @Override
            public boolean wantsLayers(long step) {
                return step % 2 == 1;
            }

            @Override
            public void onLayers(long step, List<LayerStatistics> layers) {
                measured.add(step);
                // the layers split the whole gradient: their squared norms add up to the global one (before clipping)
                double squares = layers.stream().mapToDouble(l -> l.gradientNorm() * l.gradientNorm()).sum();
                assertThat(Math.sqrt(squares)).isCloseTo(norms[(int) step], within(1e-4 * norms[(int) step]));
                assertThat(layers).allSatisfy(l -> assertThat(l.updateRatio()).isPositive());
            }

            @Override
            public void onModel(long step, dev.jgpt.model.ModelWeights model) {
                shown.add(step);
                assertThat(model.config()).isEqualTo(config);
            }
        };
        TokenDataset corpus = new TokenDataset("test", TOKENIZER.encode(TEXT));
        new Trainer(new TrainingModel(parameters), new AdamW(parameters, settings.adamW()), TOKENIZER, settings,
                corpus.split(settings.validationFraction()), out, DType.F32, listener).run(0);
        assertThat(measured).containsExactly(1L, 3L, 5L);
        assertThat(shown).containsExactly(2L, 4L, 6L);
    }

    private static TrainingSettings settings(int steps) {
        return new TrainingSettings(2, 2, 16, steps, 3e-3f, 3e-4f, 2, true, new AdamWSettings(0.9f, 0.95f, 1e-8f, 0.1f),
                1f, 0.2, 2, 2, 0, 10, 3, 42, Batching.RANDOM);
    }

    private void run(Path out, TrainingSettings settings, List<Double> losses) {
        ModelConfig config = ModelConfig.gpt2(2, 2, 16, 32, TOKENIZER.vocabSize());
        Parameters parameters = Parameters.random(config, settings.seed());
        trainer(parameters, new AdamW(parameters, settings.adamW()), settings, out, losses).run(0);
    }

    private Trainer trainer(Parameters parameters, AdamW optimizer, TrainingSettings settings, Path out, List<Double> losses) {
        TokenizerJson.write(TOKENIZER, out.resolve(TrainingCheckpoint.TOKENIZER));
        TokenDataset corpus = new TokenDataset("test", TOKENIZER.encode(TEXT));
        TrainingListener listener = new TrainingListener() {
            @Override
            public void onStep(long step, long totalSteps, double loss, double learningRate, double gradientNorm, double tokensPerSecond) {
                losses.add(loss);
            }
        };
        return new Trainer(new TrainingModel(parameters), optimizer, TOKENIZER, settings, corpus.split(settings.validationFraction()),
                out, DType.F16, listener);
    }
}
