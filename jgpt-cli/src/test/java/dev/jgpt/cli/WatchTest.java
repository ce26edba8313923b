package dev.jgpt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jgpt train --watch} and {@code jgpt watch} as separate processes: the state grows while
 * the run trains, the record in {@code watch.jsonl} is what a replay serves, and a resumed run
 * continues the record.
 */
class WatchTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern ADDRESS = Pattern.compile("http://127\\.0\\.0\\.1:\\d+/");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    private static List<String> train(Path data, Path out, int steps, String... extra) {
        List<String> args = new ArrayList<>(List.of("train", "--data", data.toString(), "--out", out.toString(),
                "--layers", "2", "--heads", "2", "--embd", "64", "--ctx", "32", "--batch", "4", "--steps", String.valueOf(steps),
                "--warmup", "5", "--eval-every", "20", "--eval-batches", "2", "--sample-tokens", "20", "--threads", "2", "--json"));
        args.addAll(List.of(extra));
        return args;
    }

    @Test
    void theStateGrowsWhileTheRunTrainsAndAReplayServesTheRecord() throws Exception {
        Path out = dir.resolve("run");
        ChildJvm run = ChildJvm.start(dir.resolve("train.log"), List.of(),
                train(TrainingText.write(dir), out, 200, "--watch", "--watch-prompt", "To be, or not").toArray(String[]::new));
        URI page = address(run);
        List<Long> seen = new ArrayList<>();
        JsonNode live = null;
        while (run.process().isAlive() && distinct(seen) < 3) {
            live = get(page.resolve("api/state"));
            seen.add(live.get("step").asLong());
            assertThat(live.get("steps")).hasSize((int) live.get("step").asLong());
            Thread.sleep(100);
        }
        assertThat(distinct(seen)).as("steps seen while training: %s", seen).isGreaterThanOrEqualTo(3);
        assertThat(seen).isSorted();
        assertThat(live.get("run").get("probe").asText()).isEqualTo("To be, or not");
        assertThat(run.await(300)).as(run.text()).isZero();

        // the record as written, read here line by line, is what jgpt watch serves
        List<JsonNode> records = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("watch.jsonl"))) {
            records.add(JSON.readTree(line));
        }
        ChildJvm replay = ChildJvm.start(dir.resolve("watch.log"), List.of(), "watch", out.toString());
        try {
            JsonNode state = get(address(replay).resolve("api/state"));
            assertThat(state.get("finished").asBoolean()).isTrue();
            assertThat(state.get("live").asBoolean()).isFalse();
            assertThat(state.get("step").asLong()).isEqualTo(200);
            assertThat(state.get("events").asInt()).isEqualTo(records.size());
            List<JsonNode> steps = ofType(records, "step");
            assertThat(steps).hasSize(200);
            for (int i = 0; i < steps.size(); i++) {
                for (String field : List.of("step", "loss", "lr", "tokens_per_s", "grad_norm")) {
                    assertThat(state.get("steps").get(i).get(field).asDouble()).as("%s of step %d", field, i + 1)
                            .isEqualTo(steps.get(i).get(field).asDouble());
                }
            }
            List<JsonNode> evaluations = ofType(records, "evaluation");
            assertThat(evaluations).extracting(e -> e.get("step").asLong())
                    .containsExactlyElementsOf(LongStream.rangeClosed(1, 10).map(k -> 20 * k).boxed().toList());
            for (int i = 0; i < evaluations.size(); i++) {
                JsonNode served = state.get("evaluations").get(i);
                assertThat(served.get("step")).isEqualTo(evaluations.get(i).get("step"));
                assertThat(served.get("val_loss").asDouble()).isEqualTo(evaluations.get(i).get("val_loss").asDouble());
                assertThat(served.get("sample").asText()).as("samples come at every evaluation")
                        .isEqualTo(ofType(records, "sample").get(i).get("text").asText());
                assertThat(served.get("probe")).isEqualTo(ofType(records, "probe").get(i).get("explanation"));
            }
            List<JsonNode> layers = ofType(records, "layers");
            assertThat(layers).hasSizeGreaterThan(100); // every step of a run this short
            assertThat(state.get("layers")).hasSize(layers.size());
            for (int i = 0; i < layers.size(); i++) {
                assertThat(state.get("layers").get(i).get("layers")).isEqualTo(layers.get(i).get("layers"));
            }
            // the explain page of a probe, and none where there was no evaluation
            HttpResponse<String> probe = HTTP.send(HttpRequest.newBuilder(address(replay).resolve("probe/100")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(probe.statusCode()).isEqualTo(200);
            assertThat(probe.body()).contains("<canvas id=\"heatmap\"");
            assertThat(HTTP.send(HttpRequest.newBuilder(address(replay).resolve("probe/101")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
        } finally {
            replay.process().destroy();
            replay.await(30);
        }
    }

    @Test
    void aResumedRunContinuesTheRecordAfterCuttingALineLeftUnfinished() throws Exception {
        Path data = TrainingText.write(dir);
        Path out = dir.resolve("run");
        ChildJvm first = ChildJvm.start(dir.resolve("first.log"), List.of(),
                train(data, out, 30, "--watch", "--checkpoint-every", "10").toArray(String[]::new));
        assertThat(first.await(300)).as(first.text()).isZero();
        Path file = out.resolve("watch.jsonl");
        long whole = Files.size(file);
        Files.writeString(file, "{\"type\":\"step\",\"st", java.nio.file.StandardOpenOption.APPEND); // a write cut short

        // no --watch: the run was recorded, so its resumption is too
        ChildJvm resumed = ChildJvm.start(dir.resolve("resumed.log"), List.of(), "train", "--data", data.toString(), "--out",
                out.toString(), "--resume", "--steps", "50", "--threads", "2", "--json");
        assertThat(resumed.await(300)).as(resumed.text()).isZero();

        List<JsonNode> records = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            records.add(JSON.readTree(line));
        }
        assertThat(Files.readString(file)).doesNotContain("\"st\n");
        assertThat(Files.size(file)).isGreaterThan(whole);
        assertThat(ofType(records, "run")).extracting(r -> r.get("start").asLong()).containsExactly(0L, 30L);
        assertThat(ofType(records, "run").getLast().get("total_steps").asLong()).isEqualTo(50);
        assertThat(ofType(records, "step")).extracting(r -> r.get("step").asLong())
                .containsExactlyElementsOf(LongStream.rangeClosed(1, 50).boxed().toList());
        assertThat(ofType(records, "end")).extracting(r -> r.get("step").asLong()).containsExactly(30L, 50L);
    }

    private static List<JsonNode> ofType(List<JsonNode> records, String type) {
        return records.stream().filter(r -> r.get("type").asText().equals(type)).toList();
    }

    private static long distinct(List<Long> values) {
        return values.stream().distinct().count();
    }

    private static JsonNode get(URI uri) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    /** The page's address, once the process has printed it (at most a minute). */
    static URI address(ChildJvm process) throws InterruptedException {
        for (int i = 0; i < 600; i++) {
            Matcher found = ADDRESS.matcher(process.text());
            if (found.find()) {
                return URI.create(found.group());
            }
            assertThat(process.process().isAlive()).as(process.text()).isTrue();
            Thread.sleep(100);
        }
        throw new AssertionError("no address printed within a minute: " + process.text());
    }
}
