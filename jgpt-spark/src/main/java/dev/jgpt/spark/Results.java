package dev.jgpt.spark;

import java.util.function.Function;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** The struct each function returns: its values, and {@code error}, set (with the values null) when the row was bad. */
final class Results {
    static final StructType GENERATION = new StructType()
            .add("text", DataTypes.StringType)
            .add("finish_reason", DataTypes.StringType)
            .add("prompt_tokens", DataTypes.IntegerType)
            .add("completion_tokens", DataTypes.IntegerType)
            .add("error", DataTypes.StringType);
    static final StructType SCORE = new StructType()
            .add("loss", DataTypes.DoubleType)
            .add("perplexity", DataTypes.DoubleType)
            .add("token_count", DataTypes.IntegerType)
            .add("error", DataTypes.StringType);
    static final StructType EMBEDDING = new StructType()
            .add("embedding", DataTypes.createArrayType(DataTypes.FloatType, false))
            .add("error", DataTypes.StringType);
    static final StructType TOKENS = new StructType()
            .add("ids", DataTypes.createArrayType(DataTypes.IntegerType, false))
            .add("error", DataTypes.StringType);

    private Results() {
    }

    static Row generation(Outcome<Engine.Generated> outcome) {
        return row(outcome, GENERATION, g -> new Object[] {g.text(), g.finishReason().wireName(), g.promptTokens(), g.completionTokens()});
    }

    static Row score(Outcome<Engine.Scored> outcome) {
        return row(outcome, SCORE, s -> new Object[] {s.loss(), s.perplexity(), s.tokens()});
    }

    static Row embedding(Outcome<float[]> outcome) {
        return row(outcome, EMBEDDING, e -> new Object[] {e});
    }

    static Row tokens(Outcome<int[]> outcome) {
        return row(outcome, TOKENS, ids -> new Object[] {ids});
    }

    /** The struct of {@code type}: the values {@code fields} gives (all but the error), or nulls and the error. */
    private static <T> Row row(Outcome<T> outcome, StructType type, Function<T, Object[]> fields) {
        Object[] values = new Object[type.size()];
        if (outcome.error() == null) {
            Object[] given = fields.apply(outcome.value());
            System.arraycopy(given, 0, values, 0, given.length);
        } else {
            values[values.length - 1] = outcome.error();
        }
        return RowFactory.create(values);
    }
}
