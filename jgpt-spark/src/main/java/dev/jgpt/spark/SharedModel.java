package dev.jgpt.spark;

import dev.jgpt.generate.LanguageModel;
import dev.jgpt.hub.HubSettings;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A model opened once per JVM and shared by every task that runs there: its files are mapped
 * once, and each thread at work borrows an {@link Engine} (a forward pass of its own over the
 * same weights). Engines are kept for the next task, so a JVM holds as many as it ever ran
 * tasks at once. A model given by name is pulled from the hub at most once per JVM: tasks that
 * ask for it meanwhile wait for the first.
 */
final class SharedModel {
    /** Lanes of an engine: rows generated side by side in one forward pass. */
    static final int LANES = 8;

    private static final Map<String, SharedModel> OPENED = new ConcurrentHashMap<>();

    /**
     * The hub's settings as huggingface_hub's environment variables on this node give them (Spark
     * sets an executor's from {@code spark.executorEnv.*}); tests, which cannot set their own
     * environment, put a stand-in hub's here.
     */
    static volatile Supplier<HubSettings> hubSettings =
            () -> HubSettings.fromEnvironment(System.getenv(), Path.of(System.getProperty("user.home")));

    private final LanguageModel model;
    private final ConcurrentLinkedQueue<Engine> idle = new ConcurrentLinkedQueue<>();

    private SharedModel(LanguageModel model) {
        this.model = model;
    }

    /**
     * The model named {@code location} (a path on this node, a shipped file's name or a model name
     * on the hub), opened at its first use in this JVM; {@code computeIfAbsent} makes the other
     * tasks that ask for it wait meanwhile, so it is pulled and opened once.
     */
    static SharedModel of(String location) {
        return OPENED.computeIfAbsent(location, name -> new SharedModel(LanguageModel.open(ModelLocation.resolve(name, hubSettings))));
    }

    /** The file or folder the model was opened from. */
    Path path() {
        return model.files().path();
    }

    /** {@code work} on an engine this thread has to itself until it returns. */
    <T> T use(Function<Engine, T> work) {
        Engine engine = idle.poll();
        if (engine == null) {
            engine = new Engine(model, LANES);
        }
        try {
            return work.apply(engine);
        } finally {
            idle.add(engine);
        }
    }
}
