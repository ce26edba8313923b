package dev.jgpt.hub;

/** What a pull reports while it works; called on the pulling thread. */
public interface PullListener {
    /** A listener that ignores everything. */
    PullListener NONE = new PullListener() {};

    /**
     * {@code file} of {@code name} is about to be fetched, {@code have} of its bytes already being in the cache (an earlier, broken-off pull).
     *
     * @param name the model being pulled
     * @param file the file about to be fetched
     * @param have the bytes of it already in the cache, 0 for a new download
     */
    default void downloading(ModelName name, RepoFile file, long have) {}

    /**
     * {@code done} of {@code total} bytes are in the cache.
     *
     * @param done  the bytes of the file in the cache so far
     * @param total the file's size in bytes
     */
    default void progress(long done, long total) {}
}
