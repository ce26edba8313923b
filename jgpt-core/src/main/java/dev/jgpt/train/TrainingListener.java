package dev.jgpt.train;

import dev.jgpt.model.ModelWeights;
import java.nio.file.Path;
import java.util.List;

/** Hears how a training run goes; the command line and other front ends decide how to show it. */
public interface TrainingListener {
    /** After optimizer step {@code step} (1-based). */
    default void onStep(long step, long totalSteps, double loss, double learningRate, double gradientNorm, double tokensPerSecond) {}

    /** After a validation measurement. */
    default void onEvaluation(long step, double trainLoss, double validationLoss) {}

    /**
     * After each validation measurement, on the training thread: the model as it computes now, for
     * a listener that looks inside it. The weights change with the next step, so nothing may keep them.
     */
    default void onModel(long step, ModelWeights model) {}

    /** A sample of text the model writes at this point of training. */
    default void onSample(long step, String text) {}

    /** After a checkpoint has been written completely. */
    default void onCheckpoint(long step, Path directory) {}

    /**
     * Whether to measure the layers at step {@code step} (1-based) for {@link #onLayers}: it costs a
     * pass over the gradients and a copy of the parameters.
     */
    default boolean wantsLayers(long step) {
        return false;
    }

    /** After step {@code step}, when {@link #wantsLayers} asked for it: each layer's gradient and update. */
    default void onLayers(long step, List<LayerStatistics> layers) {}

    TrainingListener NONE = new TrainingListener() {};

    /** Every one of {@code listeners}, each hearing everything in the order given. */
    static TrainingListener all(TrainingListener... listeners) {
        List<TrainingListener> each = List.of(listeners);
        return new TrainingListener() {
            @Override
            public void onStep(long step, long totalSteps, double loss, double learningRate, double gradientNorm,
                               double tokensPerSecond) {
                each.forEach(l -> l.onStep(step, totalSteps, loss, learningRate, gradientNorm, tokensPerSecond));
            }

            @Override
            public void onEvaluation(long step, double trainLoss, double validationLoss) {
                each.forEach(l -> l.onEvaluation(step, trainLoss, validationLoss));
            }

            @Override
            public void onModel(long step, ModelWeights model) {
                each.forEach(l -> l.onModel(step, model));
            }

            @Override
            public void onSample(long step, String text) {
                each.forEach(l -> l.onSample(step, text));
            }

            @Override
            public void onCheckpoint(long step, Path directory) {
                each.forEach(l -> l.onCheckpoint(step, directory));
            }

            @Override
            public boolean wantsLayers(long step) {
                return each.stream().anyMatch(l -> l.wantsLayers(step));
            }

            @Override
            public void onLayers(long step, List<LayerStatistics> layers) {
                each.forEach(l -> l.onLayers(step, layers));
            }
        };
    }
}
