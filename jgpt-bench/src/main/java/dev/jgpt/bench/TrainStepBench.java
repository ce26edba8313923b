package dev.jgpt.bench;

import dev.jgpt.model.ModelConfig;
import dev.jgpt.tensor.Parallel;
import dev.jgpt.train.AdamW;
import dev.jgpt.train.AdamWSettings;
import dev.jgpt.train.Parameters;
import dev.jgpt.train.TrainingModel;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One training step (forward, backward, AdamW) of a 6-layer, 6-head, 384-wide GPT-2 with
 * context 256 on a batch of 8 × 256 tokens. The score is in tokens per second (one operation is
 * one token). Targets on 2 threads: 955 tokens/s at vocabulary 50257, 2830 at 256 (PyTorch 1.13:
 * 637 and 1889).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@OperationsPerInvocation(TrainStepBench.BATCH * TrainStepBench.SEQ)
@Warmup(iterations = 2, time = 10)
@Measurement(iterations = 3, time = 10)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx6g"})
public class TrainStepBench {
    static final int BATCH = 8;
    static final int SEQ = 256;

    @Param({"50257", "256"})
    public int vocab;

    @Param({"2"})
    public int threads;

    private Parameters parameters;
    private TrainingModel model;
    private AdamW optimizer;
    private int[] inputs;
    private int[] targets;

    @Setup(Level.Trial)
    public void setUp() {
        Parallel.setThreads(threads);
        ModelConfig config = ModelConfig.gpt2(6, 6, 384, SEQ, vocab);
        parameters = Parameters.random(config, 1);
        model = new TrainingModel(parameters);
        optimizer = new AdamW(parameters, AdamWSettings.gpt2());
        SplittableRandom random = new SplittableRandom(2);
        inputs = random.ints(BATCH * SEQ, 0, vocab).toArray();
        targets = random.ints(BATCH * SEQ, 0, vocab).toArray();
    }

    @Benchmark
    public float trainStep() {
        model.zeroGradients();
        float loss = model.step(inputs, targets, BATCH, SEQ);
        optimizer.step(model.gradients(), 3e-4f);
        return loss;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        parameters.close();
    }
}
