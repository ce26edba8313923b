package dev.jgpt.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jgpt.generate.LanguageModel;
import dev.jgpt.generate.Scorer;
import dev.jgpt.hub.HubSettings;
import dev.jgpt.hub.StandInHub;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model named as on the Hugging Face Hub, pulled by the executor from a stand-in hub on 127.0.0.1 into its cache. */
class HubModelTest {
    private static final String REPO = "owner/shipped-GGUF";
    private static final List<String> TEXTS = List.of("ROMEO:", "To be, or not to be", "JULIET:\nO Romeo, Romeo!", "What light",
            "Now is the winter", "First Citizen:\nBefore we proceed any further, hear me speak.");

    @TempDir
    static Path dir;
    private static StandInHub hub;
    private static Path gguf;
    private static SparkSession spark;
    private static Supplier<HubSettings> environment;

    @BeforeAll
    static void start() throws Exception {
        gguf = TestModels.gguf(dir);
        hub = new StandInHub().file(REPO, "shipped-F32.gguf", Files.readAllBytes(gguf)).file(REPO, "README.md", "# shipped\n".getBytes());
        environment = SharedModel.hubSettings;
        SharedModel.hubSettings = () -> new HubSettings(hub.endpoint(), Optional.empty(), dir.resolve("hf/hub"), false);
        spark = LocalSpark.session();
    }

    @AfterAll
    static void stop() {
        spark.stop();
        SharedModel.hubSettings = environment;
        hub.close();
    }

    @Test
    void pullsTheModelOnceAndScoresAsFromItsPath() {
        SparkSession session = spark.newSession();
        JgptFunctions.register(session, REPO + ":F32");
        session.createDataset(TEXTS, Encoders.STRING()).toDF("text").repartition(2).createOrReplaceTempView("texts");
        List<Row> rows = session.sql("SELECT text, jgpt_score(text) FROM texts").collectAsList();
        assertThat(session.sql("SELECT text, jgpt_score(text) FROM texts").collectAsList()).as("a second job, on the model open already")
                .containsExactlyInAnyOrderElementsOf(rows);

        assertThat(rows).hasSize(TEXTS.size());
        try (LanguageModel fromPath = LanguageModel.open(gguf)) {
            for (Row row : rows) {
                Scorer.Score expected = Scorer.score(fromPath.transformer(), fromPath.tokenizer().encodeSequence(row.getString(0)));
                assertThat(row.getStruct(1).<Double>getAs("loss")).as(row.getString(0)).isEqualTo(expected.loss());
                assertThat(row.getStruct(1).<Double>getAs("perplexity")).isEqualTo(expected.perplexity());
            }
        }
        assertThat(hub.requests().stream().map(r -> r.server() + " " + r.path()))
                .as("the two tasks of local[2] and the second job share one pull")
                .containsExactly("hub /api/models/owner/shipped-GGUF/revision/main",
                        "hub /owner/shipped-GGUF/resolve/" + StandInHub.COMMIT + "/shipped-F32.gguf",
                        "cdn /blobs/owner--shipped-GGUF/shipped-F32.gguf");
        assertThat(dir.resolve("hf/hub/models--owner--shipped-GGUF/snapshots/" + StandInHub.COMMIT + "/shipped-F32.gguf")).exists();
    }

    @Test
    void aNameTheHubDoesNotHaveFailsTheJobNamingIt() {
        SparkSession session = spark.newSession();
        JgptFunctions.register(session, "owner/missing-GGUF:Q4_K_M");
        assertThatThrownBy(() -> session.sql("SELECT jgpt_score('To be')").collect())
                .hasMessageContaining("model 'owner/missing-GGUF:Q4_K_M' not found")
                .hasMessageContaining("no owner/missing-GGUF on " + hub.endpoint());
    }
}
