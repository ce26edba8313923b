package dev.jgpt.cli;

import java.io.PrintWriter;

/** A progress bar redrawn in place on one line, for a person at a terminal; does nothing when disabled. */
final class ProgressBar implements AutoCloseable {
    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 50_000_000;

    private final PrintWriter err;
    private final String label;
    private final boolean enabled;
    private int shownPermille = -1;
    private long shownAt;
    private int shownLength;

    /** A bar on {@code err}, shown only when {@code enabled} (stderr is a terminal, say). */
    ProgressBar(PrintWriter err, String label, boolean enabled) {
        this.err = err;
        this.label = label;
        this.enabled = enabled;
    }

    /** Shows {@code done} of {@code total}, at most every 50 ms (the end always). */
    void update(long done, long total, String unit) {
        if (!enabled || total <= 0) {
            return;
        }
        int permille = (int) Math.min(1000, done * 1000 / total);
        long now = System.nanoTime();
        if (permille == shownPermille || (done < total && now - shownAt < REDRAW_NANOS)) {
            return;
        }
        shownPermille = permille;
        shownAt = now;
        int filled = permille * WIDTH / 1000;
        String line = String.format("%s [%s%s] %d/%d %s", label, "#".repeat(filled), " ".repeat(WIDTH - filled), done, total, unit);
        err.print("\r" + line);
        err.flush();
        shownLength = line.length();
    }

    /** Clears the bar from the line. */
    @Override
    public void close() {
        if (shownLength > 0) {
            err.print("\r" + " ".repeat(shownLength) + "\r");
            err.flush();
            shownLength = 0;
        }
    }
}
