package dev.jgpt.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the watch page shows of a training run, folded from its records (the lines of
 * {@code watch.jsonl}, in order): the run, every step, the evaluations with their samples and
 * probes, and the layers' statistics. A live run and a replay fold the same records, so both show
 * the same numbers. A {@code run} record that starts at step s (a resumed run) drops what came
 * after s, as the run repeats those steps. Thread-safe: the training thread adds, HTTP threads read.
 */
final class WatchState {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final boolean live;
    private final List<ObjectNode> records = new ArrayList<>();
    private ObjectNode run = NODES.objectNode();
    private final ArrayNode steps = NODES.arrayNode();
    private final Map<Long, ObjectNode> evaluations = new TreeMap<>();
    private final ArrayNode layers = NODES.arrayNode();
    private long step;
    private boolean finished;
    private boolean closed;

    /** {@code live}: records are still coming (a training run), else a replay. */
    WatchState(boolean live) {
        this.live = live;
    }

    /** Folds one record in and wakes the readers waiting for it. */
    synchronized void add(ObjectNode record) {
        long at = record.path("step").asLong();
        switch (record.path("type").asText()) {
            case "run" -> {
                long start = record.path("start").asLong();
                removeAfter(steps, start);
                removeAfter(layers, start);
                evaluations.keySet().removeIf(s -> s > start);
                run = without(record, "type");
                step = start;
                finished = false;
            }
            case "step" -> {
                steps.add(without(record, "type"));
                step = at;
            }
            case "evaluation" -> evaluation(at).put("train_loss", record.path("train_loss").asDouble())
                    .put("val_loss", record.path("val_loss").asDouble());
            case "sample" -> evaluation(at).put("sample", record.path("text").asText());
            case "probe" -> evaluation(at).set("probe", record.path("explanation"));
            case "layers" -> layers.add(without(record, "type"));
            case "end" -> finished = true;
            default -> { } // a record of a later version: nothing here shows it
        }
        records.add(record);
        notifyAll();
    }

    /** The whole state as {@code GET /api/state} returns it; {@code events} counts the records folded in. */
    synchronized ObjectNode json() {
        ObjectNode json = NODES.objectNode();
        json.put("live", live && !finished);
        json.put("finished", finished);
        json.put("step", step);
        json.set("run", run.deepCopy());
        json.set("steps", steps.deepCopy());
        ArrayNode evals = json.putArray("evaluations");
        evaluations.values().forEach(e -> evals.add(e.deepCopy()));
        json.set("layers", layers.deepCopy());
        json.put("events", records.size());
        return json;
    }

    /** The explain document of the probe at {@code step}, or null. */
    synchronized JsonNode probe(long step) {
        ObjectNode evaluation = evaluations.get(step);
        return evaluation == null ? null : evaluation.get("probe");
    }

    /**
     * The records after the first {@code from}, waiting up to {@code millis} for one when there
     * are none yet; empty when the time is up or the state is closed.
     */
    synchronized List<ObjectNode> after(int from, long millis) throws InterruptedException {
        long until = System.currentTimeMillis() + millis;
        while (records.size() <= from && !closed) {
            long left = until - System.currentTimeMillis();
            if (left <= 0) {
                break;
            }
            wait(left);
        }
        return List.copyOf(records.subList(Math.min(from, records.size()), records.size()));
    }

    synchronized boolean isClosed() {
        return closed;
    }

    /** Ends every wait: no more records will come to this reader. */
    synchronized void close() {
        closed = true;
        notifyAll();
    }

    private ObjectNode evaluation(long at) {
        return evaluations.computeIfAbsent(at, s -> NODES.objectNode().put("step", s));
    }

    private static void removeAfter(ArrayNode list, long step) {
        for (int i = list.size() - 1; i >= 0 && list.get(i).path("step").asLong() > step; i--) {
            list.remove(i);
        }
    }

    private static ObjectNode without(ObjectNode record, String field) {
        ObjectNode copy = record.deepCopy();
        copy.remove(field);
        return copy;
    }
}
