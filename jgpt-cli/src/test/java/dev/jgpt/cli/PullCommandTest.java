package dev.jgpt.cli;

import static dev.jgpt.cli.CliTest.jgpt;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jgpt.cli.CliTest.Run;
import dev.jgpt.hub.StandInHub;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** jgpt pull, list, rm and --model NAME in processes of their own, against a stand-in hub serving a model jgpt made. */
class PullCommandTest {
    private static final String REPO = "owner/tiny-GGUF";

    @TempDir
    Path dir;

    @Test
    void pullsAModelByNameThatGenerateThenOpensByNameFromTheCache() throws Exception {
        Path made = dir.resolve("tiny-F32.gguf");
        Run make = jgpt("make-model", "--preset", "llama-tiny", "--out", made.toString(), "--seed", "5");
        assertThat(make.exit()).as(make.err()).isZero();
        String[] generate = {"--json", "--temperature", "0", "-n", "6", "Once upon a time"};
        JsonNode direct = jgpt(concat(List.of("generate", "--model", made.toString()), generate)).json();

        try (StandInHub hub = new StandInHub()) {
            hub.file(REPO, "tiny-F32.gguf", Files.readAllBytes(made)).file(REPO, "README.md", "# tiny\n".getBytes());
            Map<String, String> env = new HashMap<>(Map.of("HF_ENDPOINT", hub.endpoint().toString(), "HF_HOME", dir.resolve("hf").toString()));
            Path snapshot = dir.resolve("hf/hub/models--owner--tiny-GGUF/snapshots/" + StandInHub.COMMIT + "/tiny-F32.gguf");

            ChildJvm pull = run(env, "pull", REPO);
            assertThat(pull.await(120)).as(pull.text()).isZero();
            assertThat(pull.text()).contains("jgpt: pulling owner/tiny-GGUF: tiny-F32.gguf", snapshot.toString());
            assertThat(Files.readAllBytes(snapshot)).isEqualTo(Files.readAllBytes(made));

            env.put("HF_HUB_OFFLINE", "1");
            ChildJvm byName = run(env, concat(List.of("generate", "--model", REPO), generate));
            assertThat(byName.await(120)).as(byName.text()).isZero();
            JsonNode generated = new ObjectMapper().readTree(byName.text().substring(byName.text().indexOf('{')));
            assertThat(generated.get("tokens")).isEqualTo(direct.get("tokens"));

            ChildJvm list = run(env, "list");
            assertThat(list.await(60)).as(list.text()).isZero();
            assertThat(list.text()).containsPattern("owner/tiny-GGUF\\s+tiny-F32.gguf\\s+\\S+");
            ChildJvm rm = run(env, "rm", REPO);
            assertThat(rm.await(60)).as(rm.text()).isZero();
            assertThat(rm.text()).contains("jgpt: removed owner/tiny-GGUF/tiny-F32.gguf");
            assertThat(dir.resolve("hf/hub/models--owner--tiny-GGUF")).doesNotExist();

            ChildJvm gone = run(env, "generate", "--model", REPO, "x");
            assertThat(gone.await(60)).isEqualTo(1);
            assertThat(gone.text()).contains("jgpt: offline (HF_HUB_OFFLINE is set) and owner/tiny-GGUF is not in the cache");
        }
    }

    private ChildJvm run(Map<String, String> env, String... args) {
        return ChildJvm.start(dir.resolve(args[0] + "-" + System.nanoTime() + ".log"), List.of(), env, args);
    }

    private static String[] concat(List<String> head, String... tail) {
        List<String> all = new java.util.ArrayList<>(head);
        all.addAll(List.of(tail));
        return all.toArray(String[]::new);
    }
}
