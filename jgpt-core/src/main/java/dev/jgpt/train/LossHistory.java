package dev.jgpt.train;

import dev.jgpt.format.AtomicFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Every step's training loss and every evaluation's validation loss, written as CSV and as a chart. */
public final class LossHistory {
    /** One optimizer step. */
    public record StepRecord(long step, double loss, double learningRate, double tokensPerSecond) {}

    /** One evaluation on held-out data. */
    public record EvalRecord(long step, double validationLoss) {}

    private final List<StepRecord> steps = new ArrayList<>();
    private final List<EvalRecord> evals = new ArrayList<>();

    public void add(StepRecord record) {
        steps.add(record);
    }

    public void add(EvalRecord record) {
        evals.add(record);
    }

    public List<StepRecord> steps() {
        return List.copyOf(steps);
    }

    public List<EvalRecord> evals() {
        return List.copyOf(evals);
    }

    /** Drops what came after {@code step} (a resumed run repeats those steps). */
    public void truncateAfter(long step) {
        steps.removeIf(s -> s.step() > step);
        evals.removeIf(e -> e.step() > step);
    }

    /** {@code step,loss,lr,tokens_per_s,val_loss}: one row per step, val_loss empty where none was measured. */
    public String toCsv() {
        StringBuilder csv = new StringBuilder("step,loss,lr,tokens_per_s,val_loss\n");
        int e = 0;
        for (StepRecord s : steps) {
            while (e < evals.size() && evals.get(e).step() < s.step()) {
                e++;
            }
            String val = e < evals.size() && evals.get(e).step() == s.step()
                    ? String.format(Locale.ROOT, "%.6f", evals.get(e).validationLoss()) : "";
            csv.append(String.format(Locale.ROOT, "%d,%.6f,%.6g,%.1f,%s%n", s.step(), s.loss(), s.learningRate(),
                    s.tokensPerSecond(), val));
        }
        return csv.toString();
    }

    /** Writes {@code losses.csv} and {@code loss.svg} into {@code directory}, atomically. */
    public void write(Path directory) {
        AtomicFiles.writeString(directory.resolve("losses.csv"), toCsv());
        AtomicFiles.writeString(directory.resolve("loss.svg"), LossChart.svg(this));
    }
}
