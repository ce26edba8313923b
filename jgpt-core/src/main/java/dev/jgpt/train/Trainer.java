package dev.jgpt.train;

import dev.jgpt.JgptException;
import dev.jgpt.generate.GenerationSettings;
import dev.jgpt.generate.Generator;
import dev.jgpt.generate.TokenListener;
import dev.jgpt.model.Transformer;
import dev.jgpt.sampling.SamplerSettings;
import dev.jgpt.tensor.DType;
import dev.jgpt.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The training loop: for each step, accumulate gradients over micro-batches, clip, take an AdamW
 * step at the scheduled learning rate; every so often measure the validation loss, write a text
 * sample and a checkpoint. It trains a whole model ({@link TrainingModel}) or LoRA adapters on a
 * frozen one ({@link LoraTrainingModel}) alike.
 */
public final class Trainer {
    private final Trainable model;
    private final AdamW optimizer;
    private final Tokenizer tokenizer;
    private final TrainingSettings settings;
    private final TokenDataset.Split data;
    private final Path out;
    private final Consumer<TrainingState> checkpoint;
    private final TrainingListener listener;
    private final BatchSampler trainBatches;
    private final BatchSampler validationBatches;
    private LossHistory history = new LossHistory();
    private LayerMeasure layers;

    /** A whole model's training: its checkpoints are {@link TrainingCheckpoint}s in {@code out}, exported as {@code exportDtype}. */
    public Trainer(TrainingModel model, AdamW optimizer, Tokenizer tokenizer, TrainingSettings settings, TokenDataset.Split data,
                   Path out, DType exportDtype, TrainingListener listener) {
        this(model, optimizer, tokenizer, settings, data, out,
                state -> TrainingCheckpoint.save(out, model.parameters(), optimizer, state, exportDtype), listener);
    }

    /** A loop whose checkpoints {@code checkpoint} writes (to {@code out}, which messages name). */
    public Trainer(Trainable model, AdamW optimizer, Tokenizer tokenizer, TrainingSettings settings, TokenDataset.Split data,
                   Path out, Consumer<TrainingState> checkpoint, TrainingListener listener) {
        if (settings.seq() > model.config().contextLength()) {
            throw new JgptException("--ctx " + settings.seq() + " is longer than the model's context window of "
                    + model.config().contextLength() + " tokens");
        }
        data.train().checkVocabulary(model.config().vocabSize());
        data.validation().checkVocabulary(model.config().vocabSize());
        this.model = model;
        this.optimizer = optimizer;
        this.tokenizer = tokenizer;
        this.settings = settings;
        this.data = data;
        this.out = out;
        this.checkpoint = checkpoint;
        this.listener = listener;
        // a corpus too short for one batch is an error now, before the run starts
        this.trainBatches = new BatchSampler(data.train(), settings.batch(), settings.seq(), settings.batching(), settings.seed());
        this.validationBatches = new BatchSampler(data.validation(), settings.batch(), settings.seq(), Batching.RANDOM,
                settings.seed() + 1);
    }

    /** Continues the history of a resumed run. */
    public void restore(TrainingState state) {
        history = state.history();
    }

    /** Trains from step {@code start} (the number of steps already done) to the configured total. */
    public void run(long start) {
        int batch = settings.batch();
        int seq = settings.seq();
        LearningRateSchedule schedule = settings.schedule();
        int[] inputs = new int[batch * seq];
        int[] targets = new int[batch * seq];
        long lastCheckpoint = start;
        for (long step = start; step < settings.steps(); step++) {
            long began = System.nanoTime();
            float lr = schedule.at((int) step);
            model.zeroGradients();
            double loss = 0;
            for (int micro = 0; micro < settings.gradAccum(); micro++) {
                trainBatches.fill(step * settings.gradAccum() + micro, inputs, targets);
                loss += model.step(inputs, targets, batch, seq, 1f / settings.gradAccum());
            }
            loss /= settings.gradAccum();
            long done = step + 1;
            if (!Double.isFinite(loss)) {
                throw new JgptException("the loss became " + loss + " at step " + (step + 1) + "; training stopped"
                        + (lastCheckpoint > 0 ? ", the last good checkpoint (step " + lastCheckpoint + ") is in " + out : "")
                        + " (try a lower --lr or --grad-clip 1)");
            }
            boolean measureLayers = listener.wantsLayers(done);
            if (measureLayers) {
                layerMeasure().before(model.gradients());
            }
            float norm = settings.gradClip() > 0 ? GradientClipping.clip(model.gradients(), settings.gradClip())
                    : (float) GradientClipping.norm(model.gradients());
            optimizer.step(model.gradients(), lr);
            double tokensPerSecond = settings.tokensPerStep() / ((System.nanoTime() - began) / 1e9);
            history.add(new LossHistory.StepRecord(done, loss, lr, tokensPerSecond));
            listener.onStep(done, settings.steps(), loss, lr, norm, tokensPerSecond);
            if (measureLayers) {
                listener.onLayers(done, layers.after());
            }
            boolean last = done == settings.steps();
            if (last || every(done, settings.evalEvery())) {
                double validation = validationLoss(validationBatches, inputs, targets);
                history.add(new LossHistory.EvalRecord(done, validation));
                listener.onEvaluation(done, loss, validation);
                listener.onModel(done, model.weights());
            }
            if (every(done, settings.sampleEvery()) || (last && settings.sampleEvery() > 0)) {
                listener.onSample(done, sample(done));
            }
            if (last || every(done, settings.checkpointEvery())) {
                checkpoint(done);
                lastCheckpoint = done;
            }
        }
    }

    private LayerMeasure layerMeasure() {
        if (layers == null) {
            layers = new LayerMeasure(model.parameters());
        }
        return layers;
    }

    /** Mean loss over the configured number of validation batches (the same batches at every evaluation). */
    private double validationLoss(BatchSampler batches, int[] inputs, int[] targets) {
        double sum = 0;
        for (int i = 0; i < settings.evalBatches(); i++) {
            batches.fill(i, inputs, targets);
            sum += model.loss(inputs, targets, settings.batch(), settings.seq());
        }
        return sum / settings.evalBatches();
    }

    /** Text the model writes now, from its end-of-text token (or a newline when it has none). */
    private String sample(long step) {
        Transformer transformer = new Transformer(model.weights());
        int[] prompt = tokenizer.eosId().isPresent() ? new int[] {tokenizer.eosId().getAsInt()} : tokenizer.encode("\n");
        SamplerSettings sampler = new SamplerSettings(0.8f, 40, 1f, 0f, 1f, settings.seed() + step);
        int tokens = Math.min(settings.sampleTokens(), transformer.config().contextLength() - prompt.length);
        return new Generator(transformer, tokenizer).generate(prompt, GenerationSettings.of(tokens, sampler), TokenListener.NONE).text();
    }

    private void checkpoint(long step) {
        TrainingState state = new TrainingState(step, settings, TrainingState.CorpusFingerprint.of(data.train()),
                history.steps(), history.evals());
        checkpoint.accept(state);
        listener.onCheckpoint(step, out);
    }

    private static boolean every(long step, int interval) {
        return interval > 0 && step % interval == 0;
    }
}
