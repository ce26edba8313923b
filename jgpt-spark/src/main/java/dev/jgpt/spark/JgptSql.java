package dev.jgpt.spark;

import dev.jgpt.JgptException;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * SQL statements run with jgpt's functions registered, for {@code spark-submit}:
 * {@code --model MODEL [--output DIR] STATEMENT...}. The last statement's rows are printed, or with
 * {@code --output} written to DIR as JSON lines.
 */
public final class JgptSql {
    private JgptSql() {
    }

    public static void main(String[] args) {
        try {
            run(args);
        } catch (JgptException e) {
            System.err.println("jgpt: " + e.getMessage());
            System.exit(1);
        }
    }

    private static void run(String[] args) {
        String model = null;
        String output = null;
        List<String> statements = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--model" -> model = value(args, ++i, "--model");
                case "--output" -> output = value(args, ++i, "--output");
                default -> statements.add(args[i]);
            }
        }
        if (model == null || statements.isEmpty()) {
            System.err.println("usage: JgptSql --model MODEL [--output DIR] STATEMENT...  (MODEL: a GGUF file or model folder every node "
                    + "sees, the name of a file shipped with --files, or OWNER/REPO[:QUANT] on the Hugging Face Hub)");
            System.exit(2);
        }
        SparkSession spark = SparkSession.builder().appName("jgpt-sql").getOrCreate();
        try {
            JgptFunctions.register(spark, model);
            Dataset<Row> last = null;
            for (String statement : statements) {
                last = spark.sql(statement);
            }
            if (output != null) {
                last.write().json(output);
            } else {
                last.show(Integer.MAX_VALUE, false);
            }
        } finally {
            spark.stop();
        }
    }

    private static String value(String[] args, int index, String option) {
        if (index >= args.length) {
            throw new JgptException(option + " needs a value");
        }
        return args[index];
    }
}
