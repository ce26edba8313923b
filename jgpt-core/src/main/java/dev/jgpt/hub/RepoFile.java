package dev.jgpt.hub;

import java.util.Optional;

/**
 * One file of a repository at a commit, as the hub lists it.
 *
 * @param path   its path inside the repository
 * @param size   its size in bytes
 * @param sha256 the SHA-256 of its bytes (hex) when it is stored in Git LFS, as every large file is
 * @param gitOid its Git blob id (hex SHA-1 of {@code "blob <size>\0"} and the bytes)
 */
public record RepoFile(String path, long size, Optional<String> sha256, String gitOid) {
    /**
     * The name of its blob in the cache, as huggingface_hub names it: the LFS hash, else the Git blob id.
     *
     * @return the hex hash that names the blob
     */
    public String blobName() {
        return sha256.orElse(gitOid);
    }

    /**
     * The last part of its path.
     *
     * @return the file's name without its folders
     */
    public String fileName() {
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
