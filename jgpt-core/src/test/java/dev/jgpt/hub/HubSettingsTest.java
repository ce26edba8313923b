package dev.jgpt.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jgpt.JgptException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** huggingface_hub's environment variables, read as it reads them. */
class HubSettingsTest {
    @TempDir
    Path home;

    @Test
    void defaultsToTheHubAndTheCacheUnderTheHomeFolder() {
        assertThat(HubSettings.fromEnvironment(Map.of(), home))
                .isEqualTo(new HubSettings(HubSettings.DEFAULT_ENDPOINT, Optional.empty(), home.resolve(".cache/huggingface/hub"), false));
    }

    @Test
    void readsEndpointTokenCacheAndOfflineFromTheEnvironment() throws Exception {
        Map<String, String> env = Map.of("HF_ENDPOINT", "http://127.0.0.1:9/", "HF_HOME", "/data/hf", "HF_TOKEN", "hf_x", "HF_HUB_OFFLINE", "yes");
        assertThat(HubSettings.fromEnvironment(env, home)).isEqualTo(new HubSettings(URI.create("http://127.0.0.1:9"), Optional.of("hf_x"), Path.of("/data/hf/hub"), true));
        assertThat(HubSettings.fromEnvironment(Map.of("HF_HUB_CACHE", "/c", "HF_HUB_OFFLINE", "0"), home).cache()).isEqualTo(Path.of("/c"));
        assertThat(HubSettings.fromEnvironment(Map.of("HF_HUB_OFFLINE", "0"), home).offline()).isFalse();
        assertThatThrownBy(() -> HubSettings.fromEnvironment(Map.of("HF_ENDPOINT", "huggingface.co"), home)).isInstanceOf(JgptException.class)
                .hasMessage("HF_ENDPOINT is 'huggingface.co', not an http(s) address like https://huggingface.co");

        Files.createDirectories(home.resolve(".cache/huggingface"));
        Files.writeString(home.resolve(".cache/huggingface/token"), "hf_saved\n");
        assertThat(HubSettings.fromEnvironment(Map.of(), home).token()).as("the token file huggingface-cli login writes").hasValue("hf_saved");
    }
}
