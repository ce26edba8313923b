package dev.jgpt.spark;

import dev.jgpt.generate.LanguageModel;
import dev.jgpt.generate.Scorer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Rows per second scoring 10,000 short lines with the shipped model: a loop in this JVM, Spark
 * local[2], and a standalone cluster of 1 and of 2 Workers (one core each). Not a test: run it as
 * README.md says. Each way runs the lines once to warm up, then once timed.
 */
public final class ScoringBench {
    private static final int LINES = 10_000;

    private ScoringBench() {
    }

    public static void main(String[] args) throws Exception {
        List<String> lines = new ArrayList<>();
        String[] words = {"ROMEO", "JULIET", "love", "night", "sweet", "sorrow", "death", "king", "crown", "sword"};
        for (int i = 0; i < LINES; i++) {
            lines.add(words[i % 10] + " and " + words[(i / 10) % 10] + ", " + words[(i / 100) % 10] + " of the " + words[(i / 7) % 10]);
        }
        try (LanguageModel model = TestModels.open()) {
            report("loop in one JVM", lines, ls -> {
                double sum = 0;
                for (String line : ls) {
                    sum += Scorer.score(model.transformer(), model.tokenizer().encodeSequence(line)).loss();
                }
                return sum;
            });
        }
        SparkSession local = LocalSpark.session();
        report("Spark local[2]", lines, ls -> sparkScore(local, ls));
        local.stop();
        Path dir = Files.createTempDirectory("jgpt-spark-bench");
        for (int workers = 1; workers <= 2; workers++) {
            try (StandaloneCluster cluster = StandaloneCluster.start(dir.resolve("cluster-" + workers), workers)) {
                SparkSession spark = cluster.session("jgpt-spark-bench");
                report("standalone, " + workers + " worker(s)", lines, ls -> sparkScore(spark, ls));
                spark.stop();
            }
        }
    }

    /** The sum of the lines' losses, scored by jgpt_score over 8 partitions. */
    private static double sparkScore(SparkSession spark, List<String> lines) {
        JgptFunctions.register(spark, TestModels.SHIPPED.toString());
        Dataset<Row> rows = spark.createDataset(lines, Encoders.STRING()).repartition(8).toDF("line");
        rows.createOrReplaceTempView("lines");
        return spark.sql("SELECT sum(jgpt_score(line).loss) FROM lines").first().getDouble(0);
    }

    private static void report(String way, List<String> lines, ToDoubleFunction<List<String>> score) {
        score.applyAsDouble(lines.subList(0, 2_000));
        long start = System.nanoTime();
        double sum = score.applyAsDouble(lines);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("%-28s %8.0f rows/s  (%d lines in %.2f s, mean loss %.4f)%n", way, lines.size() / seconds, lines.size(), seconds, sum / lines.size());
    }
}
