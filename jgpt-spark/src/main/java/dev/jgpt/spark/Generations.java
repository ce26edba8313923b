package dev.jgpt.spark;

import dev.jgpt.generate.GenerationSettings;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;

/** Rows' prompts continued on the executor's shared model, side by side through an engine's lanes. */
final class Generations {
    private Generations() {
    }

    /**
     * The {@link Results#GENERATION} struct of each prompt with its options (an options struct or
     * null); null for a null prompt. Prompts whose options are bad get their error and never run.
     */
    static List<Row> of(String model, List<String> prompts, List<Row> options) {
        List<Row> results = new ArrayList<>(prompts.size());
        List<Integer> runs = new ArrayList<>();
        List<String> runPrompts = new ArrayList<>();
        List<GenerationSettings> runSettings = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            String prompt = prompts.get(i);
            Outcome<GenerationSettings> settings = prompt == null ? null : Outcome.of(options.get(i), o -> GenerateOptions.read(o, prompt));
            results.add(settings == null || settings.error() == null ? null : Results.generation(new Outcome<>(null, settings.error())));
            if (settings != null && settings.error() == null) {
                runs.add(i);
                runPrompts.add(prompt);
                runSettings.add(settings.value());
            }
        }
        if (!runs.isEmpty()) {
            List<Outcome<Engine.Generated>> generated = SharedModel.of(model).use(e -> e.generate(runPrompts, runSettings));
            for (int k = 0; k < runs.size(); k++) {
                results.set(runs.get(k), Results.generation(generated.get(k)));
            }
        }
        return results;
    }
}
