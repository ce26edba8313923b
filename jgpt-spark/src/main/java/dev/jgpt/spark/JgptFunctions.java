package dev.jgpt.spark;

import dev.jgpt.JgptException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Function;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.Literal;
import org.apache.spark.sql.classic.UserDefinedFunctionUtils;
import org.apache.spark.sql.expressions.SparkUserDefinedFunction;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.collection.immutable.Seq;

/**
 * jgpt as Spark functions. {@link #register} makes them callable from SQL and from Java and Scala
 * ({@code expr}, {@code call_function}):
 * <ul>
 * <li>{@code jgpt_generate(prompt[, options])}: struct&lt;text, finish_reason, prompt_tokens, completion_tokens, error&gt;,
 *     options a struct of {@link GenerateOptions}' fields;</li>
 * <li>{@code jgpt_score(text)}: struct&lt;loss, perplexity, token_count, error&gt;;</li>
 * <li>{@code jgpt_embed(text)}: struct&lt;embedding array&lt;float&gt;, error&gt;;</li>
 * <li>{@code jgpt_tokenize(text)}: struct&lt;ids array&lt;int&gt;, error&gt;.</li>
 * </ul>
 * A null text gives null; a row that cannot be done gives its values null and {@code error} set.
 * The model is opened once in each executor JVM, at its first row. Spark calls a function one row
 * at a time; {@link #generate(Dataset, String, String, String)} continues a partition's rows
 * side by side instead, several in each forward pass.
 */
public final class JgptFunctions {
    /** Rows of a partition taken together by {@link #generate(Dataset, String, String, String)}. */
    private static final int CHUNK = 64;

    private JgptFunctions() {
    }

    /**
     * Registers the four functions in {@code spark}'s session, on the model at {@code model}: a
     * GGUF file or model folder at a path every node sees, the name of a file the job ships
     * with {@code --files}, or a model name on the Hugging Face Hub ({@code OWNER/REPO[:QUANT]}),
     * pulled into each node's hub cache.
     */
    public static void register(SparkSession spark, String model) {
        UDF2<String, Row, Row> generate = (prompt, options) -> Generations.of(model, listOf(prompt), listOf(options)).getFirst();
        registerWithOptionalLast(spark, "jgpt_generate", functions.udf(generate, Results.GENERATION));
        spark.udf().register("jgpt_score", textFunction(model, (e, text) -> Results.score(Outcome.of(text, e::score))), Results.SCORE);
        spark.udf().register("jgpt_embed", textFunction(model, (e, text) -> Results.embedding(Outcome.of(text, e::embed))), Results.EMBEDDING);
        spark.udf().register("jgpt_tokenize", textFunction(model, (e, text) -> Results.tokens(Outcome.of(text, e::tokenize))), Results.TOKENS);
    }

    /**
     * {@code rows} with a column {@code generation} (as {@code jgpt_generate} gives) appended: the
     * prompt in column {@code promptColumn} continued with the options struct in column
     * {@code optionsColumn} (null: defaults), the rows of each partition several per forward pass.
     */
    public static Dataset<Row> generate(Dataset<Row> rows, String model, String promptColumn, String optionsColumn) {
        StructType schema = rows.schema();
        int prompt = schema.fieldIndex(promptColumn);
        int options = optionsColumn == null ? -1 : schema.fieldIndex(optionsColumn);
        MapPartitionsFunction<Row, Row> continueRows = input -> new ChunkedIterator(input, chunk -> {
            List<String> prompts = new ArrayList<>();
            List<Row> settings = new ArrayList<>();
            for (Row row : chunk) {
                prompts.add(row.getString(prompt));
                settings.add(options < 0 ? null : row.getStruct(options));
            }
            List<Row> generated = Generations.of(model, prompts, settings);
            List<Row> out = new ArrayList<>(chunk.size());
            for (int i = 0; i < chunk.size(); i++) {
                out.add(appended(chunk.get(i), generated.get(i)));
            }
            return out;
        });
        return rows.mapPartitions(continueRows, Encoders.row(schema.add("generation", Results.GENERATION)));
    }

    /** A function of one text column: null for a null text, else {@code work} on an engine of the model. */
    private static UDF1<String, Row> textFunction(String model, TextWork work) {
        return text -> text == null ? null : SharedModel.of(model).use(engine -> work.apply(engine, text));
    }

    /** What a function does with a text on an engine. */
    @FunctionalInterface
    private interface TextWork extends Serializable {
        Row apply(Engine engine, String text);
    }

    /** Registers a function of two arguments that SQL may also call with the first alone, the second then null. */
    private static void registerWithOptionalLast(SparkSession spark, String name, UserDefinedFunction udf) {
        SparkUserDefinedFunction named = (SparkUserDefinedFunction) udf.withName(name);
        scala.Function1<Seq<Expression>, Expression> builder = children -> {
            if (children.size() == 1) {
                children = withNull(children);
            } else if (children.size() != 2) {
                throw new JgptException(name + " takes a prompt and, optionally, an options struct; got " + children.size() + " arguments");
            }
            return UserDefinedFunctionUtils.toScalaUDF(named, children);
        };
        ((org.apache.spark.sql.classic.SparkSession) spark).sessionState().functionRegistry()
                .createOrReplaceTempFunction(name, builder, "scala_udf");
    }

    @SuppressWarnings("unchecked")
    private static Seq<Expression> withNull(Seq<Expression> children) {
        return (Seq<Expression>) children.appended(Literal.create(null, DataTypes.NullType));
    }

    private static <T> List<T> listOf(T value) {
        List<T> list = new ArrayList<>(1);
        list.add(value);
        return list;
    }

    private static Row appended(Row row, Object value) {
        Object[] values = new Object[row.size() + 1];
        for (int i = 0; i < row.size(); i++) {
            values[i] = row.get(i);
        }
        values[row.size()] = value;
        return RowFactory.create(values);
    }

    /** The rows of {@code input} mapped {@link #CHUNK} at a time. */
    private static final class ChunkedIterator implements Iterator<Row> {
        private final Iterator<Row> input;
        private final Function<List<Row>, List<Row>> map;
        private Iterator<Row> ready = Collections.emptyIterator();

        ChunkedIterator(Iterator<Row> input, Function<List<Row>, List<Row>> map) {
            this.input = input;
            this.map = map;
        }

        @Override
        public boolean hasNext() {
            if (!ready.hasNext() && input.hasNext()) {
                List<Row> chunk = new ArrayList<>(CHUNK);
                while (input.hasNext() && chunk.size() < CHUNK) {
                    chunk.add(input.next());
                }
                ready = map.apply(chunk).iterator();
            }
            return ready.hasNext();
        }

        @Override
        public Row next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return ready.next();
        }
    }
}
