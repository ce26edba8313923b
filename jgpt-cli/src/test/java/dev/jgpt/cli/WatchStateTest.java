package dev.jgpt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The fold of a run's records: a resumed run repeats the steps after its checkpoint, and they replace the first tries. */
class WatchStateTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectNode record(String json) throws Exception {
        return (ObjectNode) JSON.readTree(json);
    }

    @Test
    void aResumedRunReplacesWhatCameAfterItsCheckpoint() throws Exception {
        WatchState state = new WatchState(false);
        state.add(record("{\"type\":\"run\",\"start\":0,\"total_steps\":4}"));
        for (int step = 1; step <= 3; step++) {
            state.add(record("{\"type\":\"step\",\"step\":" + step + ",\"loss\":" + (10 - step) + "}"));
            state.add(record("{\"type\":\"layers\",\"step\":" + step + ",\"layers\":[]}"));
            state.add(record("{\"type\":\"evaluation\",\"step\":" + step + ",\"train_loss\":1,\"val_loss\":" + step + "}"));
        }
        // stopped after step 3 with its last checkpoint at step 2: the run goes on from there
        state.add(record("{\"type\":\"run\",\"start\":2,\"total_steps\":4}"));
        state.add(record("{\"type\":\"step\",\"step\":3,\"loss\":0.5}"));
        state.add(record("{\"type\":\"sample\",\"step\":3,\"text\":\"again\"}"));
        state.add(record("{\"type\":\"end\",\"step\":3}"));

        JsonNode json = state.json();
        assertThat(values(json.get("steps"), "step")).containsExactly(1.0, 2.0, 3.0);
        assertThat(values(json.get("steps"), "loss")).containsExactly(9.0, 8.0, 0.5);
        assertThat(values(json.get("layers"), "step")).containsExactly(1.0, 2.0);
        assertThat(values(json.get("evaluations"), "step")).containsExactly(1.0, 2.0, 3.0);
        assertThat(json.get("evaluations").get(2).has("val_loss")).isFalse();
        assertThat(json.get("evaluations").get(2).get("sample").asText()).isEqualTo("again");
        assertThat(json.get("run").get("start").asLong()).isEqualTo(2);
        assertThat(json.get("finished").asBoolean()).isTrue();
        assertThat(json.get("events").asInt()).isEqualTo(14);
    }

    private static List<Double> values(JsonNode list, String field) {
        List<Double> values = new ArrayList<>();
        list.forEach(item -> values.add(item.get(field).asDouble()));
        return values;
    }
}
