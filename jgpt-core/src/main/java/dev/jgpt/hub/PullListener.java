package dev.jgpt.hub;

/** What a pull reports while it works; called on the pulling thread. */
public interface PullListener {
    /** A listener that ignores everything. */
    PullListener NONE = new PullListener() {};

    /** {@code file} of {@code name} is about to be fetched, {@code have} of its bytes already being in the cache (an earlier, broken-off pull). */
    default void downloading(ModelName name, RepoFile file, long have) {}

    /** {@code done} of {@code total} bytes are in the cache. */
    default void progress(long done, long total) {}
}
