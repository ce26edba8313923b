package dev.jgpt.hub;

import dev.jgpt.JgptException;
import dev.jgpt.Quoted;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

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
    private static final Set<String> TRUE = Set.of("1", "ON", "YES", "TRUE");

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

    /**
     * The settings huggingface_hub's environment variables give (HF_ENDPOINT, HF_TOKEN or the token
     * file, HF_HOME, HF_HUB_CACHE, HF_HUB_OFFLINE), with its defaults. The caller passes the
     * environment ({@code System.getenv()}): this class never reads it.
     *
     * @param env  the environment variables
     * @param home the user's home folder, under which the cache is by default
     * @return the settings
     * @throws JgptException when HF_ENDPOINT is not an http(s) address
     */
    public static HubSettings fromEnvironment(Map<String, String> env, Path home) {
        URI endpoint = value(env, "HF_ENDPOINT").map(HubSettings::endpoint).orElse(DEFAULT_ENDPOINT);
        Path hfHome = value(env, "HF_HOME").map(Path::of).orElseGet(() ->
                value(env, "XDG_CACHE_HOME").map(Path::of).orElse(home.resolve(".cache")).resolve("huggingface"));
        Path cache = value(env, "HF_HUB_CACHE").map(Path::of).orElse(hfHome.resolve("hub"));
        Optional<String> token = value(env, "HF_TOKEN").or(() -> value(env, "HUGGING_FACE_HUB_TOKEN"))
                .or(() -> tokenFile(value(env, "HF_TOKEN_PATH").map(Path::of).orElse(hfHome.resolve("token"))));
        boolean offline = value(env, "HF_HUB_OFFLINE").map(v -> TRUE.contains(v.trim().toUpperCase(Locale.ROOT))).orElse(false);
        return new HubSettings(endpoint, token, cache, offline);
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
