package dev.jgpt.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.jgpt.train.TrainingListener;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;

/** How a training run shows itself: JSON lines for programs, or a progress bar and evaluations for people. */
final class TrainingOutput {
    private TrainingOutput() {}

    /** With {@code json} one object per line on stdout; else a progress line labelled {@code label} on stderr. */
    static TrainingListener listener(boolean json, String label, PrintWriter stdout, PrintWriter err) {
        return json ? new JsonLines(stdout) : new Progress(label, stdout, err);
    }

    /** For programs: one JSON object per line. */
    private record JsonLines(PrintWriter out) implements TrainingListener {
        private record StepLine(long step, double loss, double lr, @JsonProperty("tokens_per_s") double tokensPerSecond,
                @JsonProperty("grad_norm") double gradientNorm) {}

        private record EvaluationLine(long step, @JsonProperty("val_loss") double validationLoss) {}

        private record SampleLine(long step, String sample) {}

        @Override
        public void onStep(long step, long totalSteps, double loss, double learningRate, double gradientNorm, double tokensPerSecond) {
            Json.printLine(out, new StepLine(step, loss, learningRate, tokensPerSecond, gradientNorm));
        }

        @Override
        public void onEvaluation(long step, double trainLoss, double validationLoss) {
            Json.printLine(out, new EvaluationLine(step, validationLoss));
        }

        @Override
        public void onSample(long step, String text) {
            Json.printLine(out, new SampleLine(step, text));
        }
    }

    /** For people: a progress line on the terminal, evaluations and samples on stdout. */
    private static final class Progress implements TrainingListener {
        private final PrintWriter out;
        private final ProgressBar bar;
        private final long started = System.nanoTime();
        private long firstStep = -1;

        Progress(String label, PrintWriter out, PrintWriter err) {
            this.out = out;
            this.bar = new ProgressBar(err, label, System.console() != null);
        }

        @Override
        public void onStep(long step, long totalSteps, double loss, double learningRate, double gradientNorm, double tokensPerSecond) {
            if (firstStep < 0) {
                firstStep = step - 1;
            }
            double elapsed = (System.nanoTime() - started) / 1e9;
            double eta = elapsed / (step - firstStep) * (totalSteps - step);
            bar.update(step, totalSteps, String.format(Locale.ROOT, "steps · loss %.4f · lr %.2e · %.0f tokens/s · ETA %s",
                    loss, learningRate, tokensPerSecond, Units.duration(eta)));
        }

        @Override
        public void onEvaluation(long step, double trainLoss, double validationLoss) {
            bar.close();
            out.printf(Locale.ROOT, "step %d: train loss %.4f, val loss %.4f (perplexity %.2f)%n", step, trainLoss, validationLoss,
                    Math.exp(validationLoss));
            out.flush();
        }

        @Override
        public void onSample(long step, String text) {
            bar.close();
            out.printf("--- sample at step %d ---%n%s%n---%n", step, text);
            out.flush();
        }

        @Override
        public void onCheckpoint(long step, Path directory) {
            bar.close();
        }
    }
}
