package dev.jgpt.spark;

import dev.jgpt.JgptException;
import dev.jgpt.Quoted;
import dev.jgpt.generate.ContextOverflow;
import dev.jgpt.generate.GenerationSettings;
import dev.jgpt.sampling.SamplerSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;
import scala.collection.Iterable;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The settings of one row's generation, read from its options struct (any of {@link #FIELDS},
 * each may be absent or null): {@code max_tokens} (default 128), {@code temperature} (0.8; 0 is
 * greedy), {@code top_k} (40), {@code top_p} (0.95), {@code min_p} (0.05), {@code seed} and
 * {@code stop} (an array of strings). Without a seed the row's prompt gives one, so that a row
 * gets the same text wherever and however often it runs.
 */
final class GenerateOptions {
    static final Set<String> FIELDS = Set.of("max_tokens", "temperature", "top_k", "top_p", "min_p", "seed", "stop");

    private GenerateOptions() {
    }

    /** The settings {@code options} (null: all defaults) give for {@code prompt}. */
    static GenerationSettings read(Row options, String prompt) {
        if (options != null && options.schema() != null) {
            for (StructField field : options.schema().fields()) {
                if (!FIELDS.contains(field.name())) {
                    throw new JgptException("unknown generation option " + Quoted.of(field.name()) + " (known: "
                            + String.join(", ", FIELDS.stream().sorted().toList()) + ")");
                }
            }
        }
        Number seed = number(options, "seed");
        SamplerSettings sampler = new SamplerSettings(
                number(options, "temperature", 0.8).floatValue(),
                number(options, "top_k", 40).intValue(),
                number(options, "top_p", 0.95).floatValue(),
                number(options, "min_p", 0.05).floatValue(),
                1f,
                seed != null ? seed.longValue() : prompt.hashCode());
        return new GenerationSettings(number(options, "max_tokens", 128).intValue(), sampler, stops(options), ContextOverflow.STOP);
    }

    private static Number number(Row options, String name, Number absent) {
        Number value = number(options, name);
        return value != null ? value : absent;
    }

    private static Number number(Row options, String name) {
        Object value = field(options, name);
        if (value == null || value instanceof Number) {
            return (Number) value;
        }
        throw new JgptException("generation option " + name + " must be a number, got " + Quoted.of(String.valueOf(value)));
    }

    private static List<String> stops(Row options) {
        Object value = field(options, "stop");
        List<String> stops = new ArrayList<>();
        if (value instanceof Iterable<?> values) {
            CollectionConverters.asJava(values).forEach(s -> stops.add(String.valueOf(s)));
        } else if (value instanceof String s) {
            stops.add(s);
        } else if (value != null) {
            throw new JgptException("generation option stop must be a string or an array of strings");
        }
        return stops;
    }

    private static Object field(Row options, String name) {
        if (options == null || options.schema() == null || !List.of(options.schema().fieldNames()).contains(name)) {
            return null;
        }
        return options.getAs(name);
    }
}
