package dev.jgpt.cli;

import dev.jgpt.model.ModelConfig;
import dev.jgpt.train.TrainingListener;
import dev.jgpt.train.TrainingSettings;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A training run watched: its records appended to {@code OUT/watch.jsonl} and, with a port, the
 * watch page served while it trains. A resumed run first reads the record so far, so the page shows
 * the whole run.
 */
final class TrainingWatch implements AutoCloseable {
    private final WatchLog log;
    private final WatchRecorder recorder;
    private final WatchServer server;

    private TrainingWatch(WatchLog log, WatchRecorder recorder, WatchServer server) {
        this.log = log;
        this.recorder = recorder;
        this.server = server;
    }

    /**
     * Records the run in {@code out} that starts at step {@code start}, continuing the record there
     * when {@code start > 0}; serves the page on {@code port} (0: a free one; null: no page).
     */
    static TrainingWatch start(Path out, Integer port, WatchProbe probe, ModelConfig config, TrainingSettings settings, long start) {
        Path file = out.resolve(WatchLog.FILE);
        WatchState state = new WatchState(true);
        if (start > 0 && Files.exists(file)) {
            WatchLog.read(file).forEach(state::add);
        }
        WatchLog log = WatchLog.append(file);
        try {
            WatchRecorder recorder = new WatchRecorder(log, state, probe, config, settings, start);
            return new TrainingWatch(log, recorder, port == null ? null : WatchServer.start(state, port));
        } catch (RuntimeException e) {
            log.close();
            throw e;
        }
    }

    /** Whether {@code out} holds the record of a watched run, which a resumed run continues. */
    static boolean recorded(Path out) {
        return Files.exists(out.resolve(WatchLog.FILE));
    }

    TrainingListener listener() {
        return recorder;
    }

    /** Says where the page is. */
    void announce(PrintWriter err) {
        if (server != null) {
            err.printf("jgpt: watch the run at %s%n", server.uri());
            err.flush();
        }
    }

    /**
     * Records the end of the run at {@code step}; a person at a terminal keeps the page until Ctrl-C.
     */
    void finished(long step, PrintWriter err) throws InterruptedException {
        recorder.end(step);
        if (server != null && System.console() != null) {
            err.printf("jgpt: the watch page stays at %s until Ctrl-C%n", server.uri());
            err.flush();
            server.serveUntilStopped();
        }
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
        log.close();
    }
}
