package dev.jgpt.hub;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the hub is and how to use it.
 *
 * @param endpoint the hub's address (https://huggingface.co, or a mirror)
 * @param token    an access token, sent as {@code Authorization: Bearer} to the hub (gated and private repositories)
 * @param cache    the cache folder in huggingface_hub's layout ({@code models--OWNER--REPO/{blobs,snapshots,refs}})
 * @param offline  whether to use the cache only and never the network
 * @param stall    how long a download may receive nothing before its connection is dropped and the file resumed
 */
public record HubSettings(URI endpoint, Optional<String> token, Path cache, boolean offline, Duration stall) {
    /** The Hugging Face Hub itself. */
    public static final URI DEFAULT_ENDPOINT = URI.create("https://huggingface.co");
    /** A download that receives nothing for this long is resumed on a new connection. */
    public static final Duration DEFAULT_STALL = Duration.ofSeconds(60);

    /**
     * Checks that every value is given and the stall time is positive.
     *
     * @throws NullPointerException     when {@code endpoint}, {@code token}, {@code cache} or {@code stall} is null
     * @throws IllegalArgumentException when {@code stall} is zero or negative
     */
    public HubSettings {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(cache, "cache");
        if (stall.isNegative() || stall.isZero()) {
            throw new IllegalArgumentException("the stall time must be positive: " + stall);
        }
    }

    /**
     * Settings whose downloads are resumed after {@link #DEFAULT_STALL} without data.
     *
     * @param endpoint the hub's address
     * @param token    the access token sent to the hub, if any
     * @param cache    the cache's folder
     * @param offline  whether to use the cache only and never the network
     */
    public HubSettings(URI endpoint, Optional<String> token, Path cache, boolean offline) {
        this(endpoint, token, cache, offline, DEFAULT_STALL);
    }
}
