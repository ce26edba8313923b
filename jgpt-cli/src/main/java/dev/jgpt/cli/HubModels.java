package dev.jgpt.cli;

import dev.jgpt.JgptException;
import dev.jgpt.Quoted;
import dev.jgpt.hub.Hub;
import dev.jgpt.hub.HubSettings;
import dev.jgpt.hub.ModelName;
import dev.jgpt.hub.PullListener;
import dev.jgpt.hub.RepoFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The hub as huggingface_hub's environment variables describe it (HF_ENDPOINT, HF_TOKEN or the
 * token file, HF_HOME, HF_HUB_CACHE, HF_HUB_OFFLINE), and model names on the command line.
 */
final class HubModels {
    private static final Set<String> TRUE = Set.of("1", "ON", "YES", "TRUE");

    private HubModels() {}

    /** The settings {@code env} gives, with huggingface_hub's defaults. */
    static HubSettings settings(Map<String, String> env, Path home) {
        URI endpoint = value(env, "HF_ENDPOINT").map(HubModels::endpoint).orElse(HubSettings.DEFAULT_ENDPOINT);
        Path hfHome = value(env, "HF_HOME").map(Path::of).orElseGet(() ->
                value(env, "XDG_CACHE_HOME").map(Path::of).orElse(home.resolve(".cache")).resolve("huggingface"));
        Path cache = value(env, "HF_HUB_CACHE").map(Path::of).orElse(hfHome.resolve("hub"));
        Optional<String> token = value(env, "HF_TOKEN").or(() -> value(env, "HUGGING_FACE_HUB_TOKEN"))
                .or(() -> tokenFile(value(env, "HF_TOKEN_PATH").map(Path::of).orElse(hfHome.resolve("token"))));
        boolean offline = value(env, "HF_HUB_OFFLINE").map(v -> TRUE.contains(v.trim().toUpperCase(Locale.ROOT))).orElse(false);
        return new HubSettings(endpoint, token, cache, offline);
    }

    /** The hub this process's environment describes. */
    static Hub hub() {
        return new Hub(settings(System.getenv(), Path.of(System.getProperty("user.home"))));
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

    private static URI endpoint(String text) {
        try {
            URI uri = new URI(text.replaceAll("/+$", ""));
            if (!Set.of("http", "https").contains(String.valueOf(uri.getScheme())) || uri.getHost() == null) {
                throw new URISyntaxException(text, "expected http(s)://HOST");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new JgptException("HF_ENDPOINT is " + Quoted.of(text) + ", not an http(s) address like https://huggingface.co");
        }
    }

    private static Optional<String> value(Map<String, String> env, String key) {
        return Optional.ofNullable(env.get(key)).filter(v -> !v.isBlank());
    }

    private static Optional<String> tokenFile(Path file) {
        try {
            return Files.isRegularFile(file) ? Optional.of(Files.readString(file).trim()).filter(t -> !t.isEmpty()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
