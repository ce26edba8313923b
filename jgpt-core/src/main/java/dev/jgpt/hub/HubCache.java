package dev.jgpt.hub;

import dev.jgpt.JgptException;
import dev.jgpt.format.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * huggingface_hub's cache layout, shared with its users and llama.cpp's: per repository
 * {@code models--OWNER--REPO/} holds {@code blobs/} (files named by their hash),
 * {@code snapshots/<commit>/} (the repository's paths, relative symlinks into the blobs) and
 * {@code refs/main} (the commit main pointed to when last pulled).
 */
public final class HubCache {
    /**
     * One cached file: where it lives and what it is.
     *
     * @param repo   {@code OWNER/REPO}
     * @param commit the snapshot's commit
     * @param file   its path in the repository
     * @param size   its length in bytes
     * @param path   where it is on disk
     */
    public record Entry(String repo, String commit, String file, long size, Path path) {}

    private final Path root;

    /**
     * The cache in {@code root}; nothing is read or made until it is used.
     *
     * @param root the cache's folder, laid out as huggingface_hub lays out its cache
     */
    public HubCache(Path root) {
        this.root = root;
    }

    /**
     * Where the cache is.
     *
     * @return the cache's folder
     */
    public Path root() {
        return root;
    }

    Path repoDir(String repo) {
        return root.resolve("models--" + repo.replace("/", "--"));
    }

    Path blob(String repo, String blobName) {
        return repoDir(repo).resolve("blobs").resolve(blobName);
    }

    /** The lock file that guards {@code blobName}'s download, where huggingface_hub keeps its own. */
    Path lock(String repo, String blobName) {
        Path lock = root.resolve(".locks").resolve(repoDir(repo).getFileName()).resolve(blobName + ".lock");
        createDirectories(lock.getParent());
        return lock;
    }

    private Path snapshot(String repo, String commit) {
        return repoDir(repo).resolve("snapshots").resolve(commit);
    }

    private Path mainRef(String repo) {
        return repoDir(repo).resolve("refs").resolve("main");
    }

    /** The commit main pointed to when {@code repo} was last pulled, if it was. */
    Optional<String> commit(String repo) {
        Path ref = mainRef(repo);
        try {
            return Files.isRegularFile(ref) ? Optional.of(Files.readString(ref).trim()).filter(c -> c.matches("[0-9a-f]{7,64}")) : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void setCommit(String repo, String commit) {
        createDirectories(mainRef(repo).getParent());
        AtomicFiles.writeString(mainRef(repo), commit);
    }

    /** Links {@code file} of {@code commit} to its blob (which must be in place) and returns the link. */
    Path link(String repo, String commit, RepoFile file) {
        Path link = snapshot(repo, commit).resolve(file.path());
        Path target = link.getParent().relativize(blob(repo, file.blobName()));
        try {
            createDirectories(link.getParent());
            // a name of its own: other processes may be linking the same file at the same time
            Path tmp = link.resolveSibling(link.getFileName() + "." + UUID.randomUUID() + ".link");
            Files.createSymbolicLink(tmp, target);
            Files.move(tmp, link, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new JgptException("cannot link " + link + " to its blob in the cache: " + e.getMessage(), e);
        }
        return link;
    }

    /** The files of {@code repo}'s snapshot at {@code commit} whose blobs are in place, as {@link RepoFile}s named by their blob. */
    List<RepoFile> snapshotFiles(String repo, String commit) {
        return entries(repo, commit).stream().map(e -> {
            String blobName = blobName(e.path()).orElse("");
            return new RepoFile(e.file(), e.size(), Optional.empty(), blobName);
        }).toList();
    }

    /**
     * Every cached file of every repository, by repository, commit and path.
     *
     * @return the entries; empty when the cache holds nothing
     */
    public List<Entry> list() {
        List<Entry> all = new ArrayList<>();
        for (Path repoDir : children(root)) {
            String dirName = repoDir.getFileName().toString();
            if (dirName.startsWith("models--") && dirName.indexOf("--", 8) > 0) {
                String repo = dirName.substring(8).replaceFirst("--", "/");
                for (Path snapshot : children(repoDir.resolve("snapshots"))) {
                    all.addAll(entries(repo, snapshot.getFileName().toString()));
                }
            }
        }
        return all;
    }

    /**
     * Removes the cached file {@code name} means (in every snapshot that has it) and each blob no
     * link points to any more; a repository left without files goes entirely.
     *
     * @param name the model whose file to remove
     * @return the entries removed
     * @throws JgptException when the cache does not have the file, or a file cannot be deleted
     */
    public List<Entry> remove(ModelName name) {
        String commit = commit(name.repo()).orElseThrow(() -> notCached(name));
        List<RepoFile> files = snapshotFiles(name.repo(), commit);
        if (files.isEmpty()) {
            throw notCached(name);
        }
        String path = GgufChoice.pick(name, files).path();
        List<Entry> removed = list().stream().filter(e -> e.repo().equals(name.repo()) && e.file().equals(path)).toList();
        try {
            for (Entry e : removed) {
                Optional<String> blob = blobName(e.path());
                Files.delete(e.path());
                if (blob.isPresent() && list().stream().noneMatch(o -> o.repo().equals(name.repo()) && blobName(o.path()).equals(blob))) {
                    Files.deleteIfExists(blob(name.repo(), blob.get()));
                }
            }
            if (list().stream().noneMatch(o -> o.repo().equals(name.repo()))) {
                deleteTree(repoDir(name.repo()));
            }
        } catch (IOException e) {
            throw new JgptException("cannot remove " + name + " from the cache " + root + ": " + e.getMessage(), e);
        }
        return removed;
    }

    JgptException notCached(ModelName name) {
        return new JgptException(name + " is not in the cache " + root);
    }

    private List<Entry> entries(String repo, String commit) {
        Path snapshot = snapshot(repo, commit);
        if (!Files.isDirectory(snapshot)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(snapshot)) {
            return walk.filter(p -> Files.isRegularFile(p) && !p.getFileName().toString().endsWith(".link"))
                    .sorted()
                    .map(p -> new Entry(repo, commit, snapshot.relativize(p).toString().replace('\\', '/'), size(p), p))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The blob a snapshot entry links to, if it is a link. */
    private static Optional<String> blobName(Path entry) {
        try {
            return Files.isSymbolicLink(entry) ? Optional.of(Files.readSymbolicLink(entry).getFileName().toString()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Path> children(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            s.forEach(out::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.sort(Comparator.naturalOrder());
        return out;
    }

    static void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new JgptException("cannot create the cache folder " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
