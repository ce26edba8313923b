package dev.jgpt.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jgpt.generate.Embeddings;
import dev.jgpt.generate.GenerationSettings;
import dev.jgpt.generate.LanguageModel;
import dev.jgpt.generate.Scorer;
import dev.jgpt.generate.TokenListener;
import dev.jgpt.sampling.SamplerSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The functions on local[2], each against what jgpt-core gives in-process for the same text. */
class JgptFunctionsTest {
    private static final List<String> TEXTS = List.of("ROMEO:", "To be, or not to be", "JULIET:\nO Romeo, Romeo!",
            "First Citizen:\nBefore we proceed any further, hear me speak.", "KING", "What light", "A", "Now is the winter");

    private static SparkSession spark;
    private static LanguageModel model;

    @BeforeAll
    static void start() {
        spark = LocalSpark.session();
        JgptFunctions.register(spark, TestModels.SHIPPED.toString());
        model = TestModels.open();
        spark.createDataFrame(textRows(), new StructType().add("id", DataTypes.IntegerType).add("text", DataTypes.StringType))
                .repartition(2).createOrReplaceTempView("texts");
    }

    @AfterAll
    static void stop() {
        spark.stop();
        model.close();
    }

    private static List<Row> textRows() {
        return IntStream.range(0, TEXTS.size()).mapToObj(i -> RowFactory.create(i, TEXTS.get(i))).toList();
    }

    @Test
    void scoresAsTheScorerDoes() {
        List<Row> rows = spark.sql("SELECT id, jgpt_score(text) AS s FROM texts ORDER BY id").collectAsList();
        assertThat(rows).hasSize(TEXTS.size());
        for (Row row : rows) {
            int[] ids = model.tokenizer().encodeSequence(TEXTS.get(row.getInt(0)));
            Row score = row.getStruct(1);
            if (ids.length < 2) {
                assertThat(score.<String>getAs("error")).isEqualTo("scoring needs at least 2 tokens (each is scored given those before it), got 1");
                assertThat(score.isNullAt(0)).isTrue();
                continue;
            }
            Scorer.Score expected = Scorer.score(model.transformer(), ids);
            assertThat(score.<Double>getAs("loss")).isEqualTo(expected.loss());
            assertThat(score.<Double>getAs("perplexity")).isEqualTo(expected.perplexity());
            assertThat(score.<Integer>getAs("token_count")).isEqualTo(ids.length);
            assertThat(score.<String>getAs("error")).isNull();
        }
    }

    @Test
    void generatesGreedilyAsTheLibraryDoes() {
        List<Row> rows = spark.sql("SELECT id, jgpt_generate(text, named_struct('temperature', 0, 'max_tokens', 12)) AS g "
                + "FROM texts ORDER BY id").collectAsList();
        assertThat(rows).hasSize(TEXTS.size());
        for (Row row : rows) {
            String prompt = TEXTS.get(row.getInt(0));
            Row g = row.getStruct(1);
            assertThat(g.<String>getAs("text")).as(prompt).isEqualTo(TestModels.greedy(model, prompt, 12));
            assertThat(g.<String>getAs("finish_reason")).isIn("length", "stop");
            assertThat(g.<Integer>getAs("prompt_tokens")).isEqualTo(model.tokenizer().encodeSequence(prompt).length);
            assertThat(g.<Integer>getAs("completion_tokens")).isBetween(1, 12);
            assertThat(g.<String>getAs("error")).isNull();
        }
    }

    @Test
    void samplesReproduciblyWithTheSeedOfAColumnOrOfThePrompt() {
        List<Row> rows = spark.sql("SELECT id, jgpt_generate(text, named_struct('max_tokens', 10, 'seed', id)).text, "
                + "jgpt_generate(text).text FROM texts WHERE id < 3 ORDER BY id").collectAsList();
        for (Row row : rows) {
            String prompt = TEXTS.get(row.getInt(0));
            assertThat(row.getString(1)).isEqualTo(sampled(prompt, 10, row.getInt(0)));
            assertThat(row.getString(2)).isEqualTo(sampled(prompt, 128, prompt.hashCode()));
        }
    }

    /** What the library writes with the functions' default sampling and {@code seed}. */
    private static String sampled(String prompt, int maxTokens, long seed) {
        SamplerSettings sampler = new SamplerSettings(0.8f, 40, 0.95f, 0.05f, 1f, seed);
        return model.generate(prompt, GenerationSettings.of(maxTokens, sampler), TokenListener.NONE).text();
    }

    @Test
    void aBadRowGivesItsErrorAndTheOthersTheirValues() {
        String tooLong = "word ".repeat(2000);
        List<Row> rows = spark.sql("SELECT jgpt_generate(p, named_struct('temperature', t, 'max_tokens', 4)) FROM VALUES "
                + "('ROMEO:', 0), ('ROMEO:', 5), ('" + tooLong + "', 0), (CAST(NULL AS STRING), 0) AS v(p, t)").collectAsList();
        assertThat(rows.get(0).getStruct(0).<String>getAs("text")).isEqualTo(TestModels.greedy(model, "ROMEO:", 4));
        Row badTemperature = rows.get(1).getStruct(0);
        assertThat(badTemperature.<String>getAs("text")).isNull();
        assertThat(badTemperature.<String>getAs("error")).startsWith("temperature must be between 0");
        assertThat(rows.get(2).getStruct(0).<String>getAs("error")).contains("more than the context window");
        assertThat(rows.get(3).isNullAt(0)).isTrue();

        Row typo = spark.sql("SELECT jgpt_generate('ROMEO:', named_struct('temprature', 0))").first().getStruct(0);
        assertThat(typo.<String>getAs("error")).startsWith("unknown generation option 'temprature'");
        Row empty = spark.sql("SELECT jgpt_embed('')").first().getStruct(0);
        assertThat(empty.<String>getAs("error")).isEqualTo("nothing to embed: the text has no tokens");
        assertThat(empty.isNullAt(0)).isTrue();
    }

    @Test
    void embedsAndTokenizesAsTheLibraryDoes() {
        List<Row> rows = spark.sql("SELECT id, jgpt_embed(text).embedding, jgpt_tokenize(text).ids FROM texts ORDER BY id").collectAsList();
        for (Row row : rows) {
            String text = TEXTS.get(row.getInt(0));
            float[] expected = model.embed(text, Embeddings.Pooling.MEAN);
            List<Float> embedding = row.getList(1);
            assertThat(embedding).hasSize(expected.length);
            for (int i = 0; i < expected.length; i++) {
                assertThat(embedding.get(i)).isEqualTo(expected[i]);
            }
            assertThat(row.<Integer>getList(2)).containsExactly(IntStream.of(model.tokenizer().encodeSequence(text)).boxed().toArray(Integer[]::new));
        }
    }

    @Test
    void aPartitionsRowsAreGeneratedSideBySideAsEachAlone() {
        List<Row> input = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            input.add(RowFactory.create(i, TEXTS.get(i % TEXTS.size()), RowFactory.create(0.0, 6 + i % 7)));
        }
        StructType schema = new StructType().add("id", DataTypes.IntegerType).add("prompt", DataTypes.StringType)
                .add("options", new StructType().add("temperature", DataTypes.DoubleType).add("max_tokens", DataTypes.IntegerType));
        Dataset<Row> rows = spark.createDataFrame(input, schema).repartition(2);
        List<Row> out = JgptFunctions.generate(rows, TestModels.SHIPPED.toString(), "prompt", "options").orderBy("id").collectAsList();
        assertThat(out).hasSize(input.size());
        for (Row row : out) {
            int maxTokens = row.getStruct(2).getInt(1);
            Row g = row.getStruct(3);
            assertThat(g.<String>getAs("text")).as(row.getString(1)).isEqualTo(TestModels.greedy(model, row.getString(1), maxTokens));
            assertThat(g.<Integer>getAs("completion_tokens")).isLessThanOrEqualTo(maxTokens);
        }
    }

    @Test
    void opensAModelTheJobShipsWithItsFiles(@TempDir Path dir) {
        Path gguf = TestModels.gguf(dir);
        spark.sparkContext().addFile(gguf.toString());
        SparkSession session = spark.newSession();
        JgptFunctions.register(session, gguf.getFileName().toString());
        Row score = session.sql("SELECT jgpt_score('To be, or not to be')").first().getStruct(0);
        try (LanguageModel shipped = LanguageModel.open(gguf)) {
            assertThat(score.<Double>getAs("loss"))
                    .isEqualTo(Scorer.score(shipped.transformer(), shipped.tokenizer().encodeSequence("To be, or not to be")).loss());
        }
    }

    @Test
    void aModelNoNodeHasFailsTheJobNamingIt() {
        SparkSession session = spark.newSession();
        JgptFunctions.register(session, "/no/such/model.gguf");
        assertThatThrownBy(() -> session.sql("SELECT jgpt_score('To be')").collect())
                .hasMessageContaining("model '/no/such/model.gguf' not found");
    }
}
