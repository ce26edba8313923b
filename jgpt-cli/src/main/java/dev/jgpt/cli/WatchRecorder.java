package dev.jgpt.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jgpt.model.ModelConfig;
import dev.jgpt.model.ModelWeights;
import dev.jgpt.train.LayerStatistics;
import dev.jgpt.train.TrainingListener;
import dev.jgpt.train.TrainingSettings;
import java.util.List;

/**
 * Hears a training run and records it for the watch page: each event becomes a record, written to
 * {@code watch.jsonl} and folded into the {@link WatchState} the page reads. At each evaluation it
 * explains the {@link WatchProbe}; every so many steps it asks for the layers' statistics.
 */
final class WatchRecorder implements TrainingListener {
    /** Measurements of the layers over a whole run: enough for a chart, few enough to cost nothing. */
    private static final int LAYER_POINTS = 400;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final WatchLog log;
    private final WatchState state;
    private final WatchProbe probe;
    private final long layersEvery;

    /** Records the run that starts at step {@code start} (0, or the step a resumed run goes on from). */
    WatchRecorder(WatchLog log, WatchState state, WatchProbe probe, ModelConfig config, TrainingSettings settings, long start) {
        this.log = log;
        this.state = state;
        this.probe = probe;
        this.layersEvery = Math.max(1, settings.steps() / LAYER_POINTS);
        ObjectNode run = record("run", start);
        run.remove("step");
        run.put("start", start).put("total_steps", settings.steps()).put("tokens_per_step", settings.tokensPerStep())
                .put("eval_every", settings.evalEvery()).put("probe", probe.text());
        run.putObject("model").put("name", probe.name()).put("architecture", config.architecture().name())
                .put("layers", config.layers()).put("heads", config.heads()).put("embd", config.embd())
                .put("vocab_size", config.vocabSize()).put("context_length", config.contextLength())
                .put("parameters", config.parameterCount());
        add(run);
    }

    @Override
    public void onStep(long step, long totalSteps, double loss, double learningRate, double gradientNorm, double tokensPerSecond) {
        add(record("step", step).put("loss", loss).put("lr", learningRate).put("tokens_per_s", tokensPerSecond)
                .put("grad_norm", gradientNorm));
    }

    @Override
    public void onEvaluation(long step, double trainLoss, double validationLoss) {
        add(record("evaluation", step).put("train_loss", trainLoss).put("val_loss", validationLoss));
    }

    @Override
    public void onModel(long step, ModelWeights model) {
        ObjectNode record = record("probe", step);
        record.set("explanation", probe.explain(model));
        add(record);
    }

    @Override
    public void onSample(long step, String text) {
        add(record("sample", step).put("text", text));
    }

    @Override
    public boolean wantsLayers(long step) {
        return step % layersEvery == 0 || step == 1;
    }

    @Override
    public void onLayers(long step, List<LayerStatistics> layers) {
        ObjectNode record = record("layers", step);
        ArrayNode each = record.putArray("layers");
        for (LayerStatistics layer : layers) {
            each.addObject().put("name", layer.name()).put("grad_norm", layer.gradientNorm()).put("update_ratio", layer.updateRatio());
        }
        add(record);
    }

    /** The run has done its last step. */
    void end(long step) {
        add(record("end", step));
    }

    private static ObjectNode record(String type, long step) {
        return NODES.objectNode().put("type", type).put("step", step);
    }

    private void add(ObjectNode record) {
        log.write(record);
        state.add(record);
    }
}
