package dev.jgpt.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A small bounded load run: more clients than slots, every request completes, and the report adds up. */
class LoadRunTest {
    @TempDir
    static Path modelDir;

    @Test
    void everyRequestCompletesAndTheReportAddsUp() {
        try (TestServer server = TestServer.start(modelDir, 4, 16, "k")) {
            LoadRun.Report report = LoadRun.run(server.uri(""), "k", "The quick", 12, 8, 16);
            assertThat(report.completed()).isEqualTo(16);
            assertThat(report.failed()).isZero();
            // the test model has no end-of-text token: every request writes all its tokens
            assertThat(report.tokens()).isEqualTo(16 * 12);
            assertThat(report.firstTokenP50()).isPositive().isLessThanOrEqualTo(report.firstTokenP95());
            assertThat(report.firstTokenP95()).isLessThanOrEqualTo(report.latencyP95());
            assertThat(report.latencyP50()).isLessThanOrEqualTo(report.latencyP95()).isLessThanOrEqualTo(report.seconds());
            assertThat(report.tokensPerSecond()).isPositive();
            assertThat(server.server.scheduler().tokensGenerated()).isEqualTo(16 * 12);

            LoadRun.Report wrongKey = LoadRun.run(server.uri(""), "nope", "The quick", 4, 2, 3);
            assertThat(wrongKey.completed()).isZero();
            assertThat(wrongKey.failed()).isEqualTo(3);
        }
    }

    @Test
    void percentilesAreNearestRank() {
        double[] values = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        assertThat(LoadRun.percentile(values, 0.5)).isEqualTo(5);
        assertThat(LoadRun.percentile(values, 0.95)).isEqualTo(10);
        assertThat(LoadRun.percentile(new double[] {4}, 0.95)).isEqualTo(4);
        assertThat(LoadRun.percentile(new double[0], 0.5)).isNaN();
    }
}
