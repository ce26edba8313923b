package dev.jgpt.hub;

import dev.jgpt.JgptException;
import dev.jgpt.Quoted;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * GGUF models by name from the Hugging Face Hub, kept in huggingface_hub's cache: a file is
 * fetched once (resuming what an earlier pull left in {@code blobs/*.incomplete}), checked
 * against the hub's hash, and shared with every tool that reads that cache.
 */
public final class Hub {
    /** A monitor per lock file the threads of this JVM take turns on: a file lock is the whole JVM's, and a second thread asking for it fails. */
    private static final Map<Path, Object> IN_THIS_JVM = new ConcurrentHashMap<>();

    private final HubSettings settings;
    private final HubCache cache;

    /**
     * A hub with its cache.
     *
     * @param settings where the hub and the cache are, and how to reach them
     */
    public Hub(HubSettings settings) {
        this.settings = settings;
        this.cache = new HubCache(settings.cache());
    }

    /**
     * The cache the hub's files are kept in.
     *
     * @return the cache
     */
    public HubCache cache() {
        return cache;
    }

    /**
     * Where the model {@code model} names is: a path that exists; else, when it is of a model
     * name's form ({@link ModelName}), the file from the hub's cache, pulled there first if need
     * be; else the path, for the loader to report missing.
     *
     * @param model    a path or a model name
     * @param hub      the hub, made only when {@code model} is a name
     * @param listener hears of a pull
     * @return the model's file or folder
     * @throws JgptException when {@code model} is neither a path nor a name, or cannot be pulled
     */
    public static Path locate(String model, Supplier<Hub> hub, PullListener listener) {
        Path path;
        try {
            path = Path.of(model);
            if (Files.exists(path)) {
                return path;
            }
        } catch (InvalidPathException e) {
            path = null;
        }
        Optional<ModelName> name = ModelName.parse(model);
        if (name.isEmpty()) {
            return Optional.ofNullable(path).orElseThrow(() -> new JgptException(Quoted.of(model) + " is neither a path nor a model name"));
        }
        return hub.get().resolve(name.get(), listener);
    }

    /**
     * The file {@code name} means from the cache when it is there, else pulled; offline, the cache only.
     *
     * @param name     the model's name
     * @param listener hears of a pull
     * @return the file in the cache's snapshot
     */
    public Path resolve(ModelName name, PullListener listener) {
        Optional<Path> cached = cached(name);
        if (cached.isPresent()) {
            return cached.get();
        }
        return pull(name, listener);
    }

    /**
     * The file {@code name} means at the repository's latest commit, fetched unless its blob is cached; offline, the cache only.
     *
     * @param name     the model's name
     * @param listener hears of the download, if there is one
     * @return the file in the cache's snapshot of that commit
     * @throws JgptException when the hub has no such file or cannot be reached, or, offline, the cache does not have it
     */
    public Path pull(ModelName name, PullListener listener) {
        if (settings.offline()) {
            return cached(name).orElseThrow(() -> new JgptException(
                    "offline (HF_HUB_OFFLINE is set) and " + name + " is not in the cache " + cache.root()));
        }
        HubClient client = new HubClient(settings);
        HubClient.Listing listing = client.listing(name.repo());
        RepoFile file = GgufChoice.pick(name, listing.files());
        fetch(client, name, listing.commit(), file, listener);
        cache.setCommit(name.repo(), listing.commit());
        return cache.link(name.repo(), listing.commit(), file);
    }

    /** The cached file {@code name} means at the commit last pulled, if there is one. */
    private Optional<Path> cached(ModelName name) {
        Optional<String> commit = cache.commit(name.repo());
        if (commit.isEmpty()) {
            return Optional.empty();
        }
        List<RepoFile> files = cache.snapshotFiles(name.repo(), commit.get());
        if (files.isEmpty()) {
            return Optional.empty();
        }
        try {
            RepoFile file = GgufChoice.pick(name, files);
            return Optional.of(cache.repoDir(name.repo()).resolve("snapshots").resolve(commit.get()).resolve(file.path()));
        } catch (JgptException e) {
            if (settings.offline()) {
                throw new JgptException("offline (HF_HUB_OFFLINE is set) and the cache has no match: " + e.getMessage(), e);
            }
            return Optional.empty(); // not cached: the hub may have it
        }
    }

    /**
     * Puts {@code file}'s checked bytes in its blob unless they are there; one thread of one
     * process at a time per blob.
     */
    private void fetch(HubClient client, ModelName name, String commit, RepoFile file, PullListener listener) {
        Path lockFile = cache.lock(name.repo(), file.blobName());
        synchronized (IN_THIS_JVM.computeIfAbsent(lockFile.toAbsolutePath().normalize(), k -> new Object())) {
            fetchLocked(client, name, commit, file, lockFile, listener);
        }
    }

    /** {@link #fetch} under the blob's file lock (the lock files stay, as huggingface_hub's do: deleting one could let a third process in). */
    private void fetchLocked(HubClient client, ModelName name, String commit, RepoFile file, Path lockFile, PullListener listener) {
        Path blob = cache.blob(name.repo(), file.blobName());
        HubCache.createDirectories(blob.getParent());
        try (FileChannel lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = lockChannel.lock()) {
            if (Files.exists(blob)) {
                return;
            }
            Path partial = blob.resolveSibling(file.blobName() + ".incomplete");
            listener.downloading(name, file, HubClient.sizeOf(partial));
            client.download(name.repo(), commit, file, partial, done -> listener.progress(done, file.size()));
            verify(name, file, partial);
            Files.move(partial, blob, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new JgptException("cannot write " + blob + ": " + e.getMessage(), e);
        }
    }

    /** Checks the bytes against the hub's SHA-256 (LFS) or Git blob id; a mismatch removes them. */
    private static void verify(ModelName name, RepoFile file, Path partial) throws IOException {
        boolean lfs = file.sha256().isPresent();
        MessageDigest digest = digest(lfs ? "SHA-256" : "SHA-1");
        if (!lfs) {
            digest.update(("blob " + file.size() + "\0").getBytes(StandardCharsets.US_ASCII));
        }
        try (InputStream in = Files.newInputStream(partial)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        String actual = HexFormat.of().formatHex(digest.digest());
        String expected = file.blobName();
        if (!actual.equals(expected)) {
            Files.deleteIfExists(partial);
            throw new JgptException(file.path() + " of " + name.repo() + " arrived damaged: its " + (lfs ? "SHA-256" : "Git blob id") + " is "
                    + actual + ", the hub says " + expected + "; the download was removed, run the command again");
        }
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is part of every JDK", e);
        }
    }
}
