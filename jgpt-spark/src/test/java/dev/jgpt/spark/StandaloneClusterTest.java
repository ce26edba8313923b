package dev.jgpt.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jgpt.generate.LanguageModel;
import dev.jgpt.generate.Scorer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The functions on a real standalone cluster of a Master and two Workers, each a JVM of its own; then one Worker lost mid-job. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(300)
class StandaloneClusterTest {
    private static final StructType PROMPTS = new StructType().add("id", DataTypes.IntegerType).add("prompt", DataTypes.StringType)
            .add("options", new StructType().add("temperature", DataTypes.IntegerType).add("max_tokens", DataTypes.IntegerType));
    private static final int MAX_TOKENS = 8;

    @TempDir
    static Path dir;
    private static StandaloneCluster cluster;
    private static SparkSession spark;
    private static LanguageModel model;

    @BeforeAll
    static void start() {
        cluster = StandaloneCluster.start(dir, 2);
        spark = cluster.session("jgpt-spark-cluster-test");
        JgptFunctions.register(spark, TestModels.SHIPPED.toString());
        model = TestModels.open();
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
        if (cluster != null) {
            cluster.close();
        }
        if (model != null) {
            model.close();
        }
    }

    /** {@code count} prompts, each a line of a play, in {@code partitions} partitions with greedy options. */
    private static Dataset<Row> prompts(int count, int partitions) {
        String[] starts = {"ROMEO:", "JULIET:", "KING RICHARD:", "First Citizen:", "To be", "What light", "Now is the", "HAMLET:"};
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            rows.add(RowFactory.create(i, starts[i % starts.length] + " " + i, RowFactory.create(0, MAX_TOKENS)));
        }
        return spark.createDataFrame(new JavaSparkContext(spark.sparkContext()).parallelize(rows, partitions), PROMPTS);
    }

    @Test
    @Order(1)
    void scoresAndGeneratesAsTheLibraryDoes() {
        prompts(8, 4).createOrReplaceTempView("prompts");
        List<Row> rows = spark.sql("SELECT id, prompt, jgpt_score(prompt), jgpt_generate(prompt, options) FROM prompts").collectAsList();
        assertThat(rows).hasSize(8);
        for (Row row : rows) {
            String prompt = row.getString(1);
            Scorer.Score expected = Scorer.score(model.transformer(), model.tokenizer().encodeSequence(prompt));
            assertThat(row.getStruct(2).<Double>getAs("loss")).as(prompt).isEqualTo(expected.loss());
            assertThat(row.getStruct(3).<String>getAs("text")).as(prompt).isEqualTo(TestModels.greedy(model, prompt, MAX_TOKENS));
        }
    }

    @Test
    @Order(2)
    void aJobThatLosesAWorkerCompletesWithEveryRowOnce() {
        AtomicBoolean killed = new AtomicBoolean();
        spark.sparkContext().addSparkListener(new SparkListener() {
            @Override
            public void onTaskEnd(SparkListenerTaskEnd end) {
                if (killed.compareAndSet(false, true)) {
                    cluster.killWorker(0);
                }
            }
        });
        int count = 24;
        List<Row> rows = JgptFunctions.generate(prompts(count, 8), TestModels.SHIPPED.toString(), "prompt", "options").collectAsList();
        assertThat(killed).isTrue();
        assertThat(rows.stream().map(r -> r.getInt(0)).sorted().toList()).isEqualTo(IntStream.range(0, count).boxed().toList());
        for (Row row : rows) {
            assertThat(row.getStruct(3).<String>getAs("text")).isEqualTo(TestModels.greedy(model, row.getString(1), MAX_TOKENS));
        }
    }
}
