package dev.jgpt.train;

/** Hears how a training run goes; the command line and other front ends decide how to show it. */
public interface TrainingListener {
    /** After optimizer step {@code step} (1-based). */
    default void onStep(long step, long totalSteps, double loss, double learningRate, double gradientNorm, double tokensPerSecond) {}

    /** After a validation measurement. */
    default void onEvaluation(long step, double trainLoss, double validationLoss) {}

    /** A sample of text the model writes at this point of training. */
    default void onSample(long step, String text) {}

    /** After a checkpoint has been written completely. */
    default void onCheckpoint(long step, java.nio.file.Path directory) {}

    TrainingListener NONE = new TrainingListener() {};
}
