package dev.jgpt.cli;

import dev.jgpt.JgptException;
import dev.jgpt.Quoted;
import dev.jgpt.hub.Hub;
import dev.jgpt.hub.HubSettings;
import dev.jgpt.hub.ModelName;
import dev.jgpt.hub.PullListener;
import dev.jgpt.hub.RepoFile;
import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * The hub as huggingface_hub's environment variables describe it ({@link HubSettings#fromEnvironment}),
 * and model names on the command line.
 */
final class HubModels {
    private HubModels() {}

    /** The hub this process's environment describes. */
    static Hub hub() {
        return new Hub(HubSettings.fromEnvironment(System.getenv(), Path.of(System.getProperty("user.home"))));
    }

    /** The name {@code text} spells, or a clear error. */
    static ModelName name(String text) {
        return ModelName.parse(text).orElseThrow(() -> new JgptException(Quoted.of(text)
                + " is not a model name: expected OWNER/REPO, OWNER/REPO:QUANT or OWNER/REPO/FILE.gguf"));
    }

    /**
     * Where the model {@code --model} names is: a path that exists; else, when it is of a model
     * name's form, the file from the hub's cache, pulled there first if need be (said on
     * {@code err}); else the path, for the loader to report missing.
     */
    static Path locate(String model, PrintWriter err) {
        try (Progress progress = new Progress(err)) {
            return Hub.locate(model, HubModels::hub, progress);
        }
    }

    /** Says on stderr what is fetched, and draws a progress bar at a terminal. */
    static final class Progress implements PullListener, AutoCloseable {
        private final PrintWriter err;
        private ProgressBar bar;

        Progress(PrintWriter err) {
            this.err = err;
        }

        @Override
        public void downloading(ModelName name, RepoFile file, long have) {
            err.printf("jgpt: pulling %s: %s (%s)%s%n", name.repo(), file.path(), Units.bytes(file.size()),
                    have > 0 ? ", resuming at " + Units.bytes(have) : "");
            err.flush();
            bar = new ProgressBar(err, "jgpt: pulling", System.console() != null);
        }

        @Override
        public void progress(long done, long total) {
            if (bar != null) {
                bar.update(done, total, "bytes");
            }
        }

        @Override
        public void close() {
            if (bar != null) {
                bar.close();
            }
        }
    }
}
