package dev.jgpt.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The watch page of a recorded run in headless Chromium: it draws the loss chart from the
 * record, its slider moves the probe's explain page through the evaluations keeping the picked
 * layer and head, and nothing goes to the console as an error.
 */
class WatchPageBrowserTest {
    private static final int EVALUATIONS = 3;

    @TempDir
    static Path dir;

    static ChromeDriver browser;
    static WatchServer server;

    @BeforeAll
    static void recordARunAndServeIt() throws IOException {
        browser = HeadlessChromium.start(dir.resolve("profile")).orElse(null);
        if (browser == null) {
            return;
        }
        Path data = TrainingText.write(dir);
        Path out = dir.resolve("run");
        StringWriter err = new StringWriter();
        int exit = Main.run(new PrintWriter(new StringWriter()), new PrintWriter(err), "train", "--data", data.toString(),
                "--out", out.toString(), "--layers", "2", "--heads", "2", "--embd", "32", "--ctx", "16", "--batch", "2",
                "--steps", String.valueOf(10 * EVALUATIONS), "--eval-every", "10", "--eval-batches", "1", "--sample-tokens", "10",
                "--threads", "2", "--watch");
        assertThat(exit).as(err.toString()).isZero();
        WatchState state = new WatchState(false);
        WatchLog.read(out.resolve(WatchLog.FILE)).forEach(state::add);
        server = WatchServer.start(state, 0);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void drawsTheLossAndMovesThroughTheEvaluations() {
        assumeTrue(browser != null, HeadlessChromium.ABSENT);
        HeadlessChromium.open(browser, server.uri().toString());
        until(() -> !browser.findElements(By.cssSelector("#loss-chart path[data-series='train']")).isEmpty());
        assertThat(browser.findElement(By.cssSelector("#loss-chart path[data-series='train']")).getAttribute("data-points"))
                .isEqualTo(String.valueOf(10 * EVALUATIONS));
        assertThat(browser.findElements(By.cssSelector("#loss-chart circle"))).hasSize(EVALUATIONS);
        assertThat(browser.findElements(By.cssSelector("#grad-chart path.series"))).hasSize(5); // wte, wpe, 2 layers, ln_f
        assertThat(browser.findElements(By.cssSelector("#samples .sample"))).hasSize(EVALUATIONS);
        assertThat(browser.findElement(By.id("stats")).getText()).contains("30 / 30").contains("finished");

        // the slider starts at the last evaluation; the layer picked in the explain page stays as it moves back
        WebElement slider = browser.findElement(By.id("probe-step"));
        assertThat(slider.getAttribute("max")).isEqualTo(String.valueOf(EVALUATIONS - 1));
        awaitProbe(30);
        browser.switchTo().frame("probe-frame");
        browser.findElement(By.cssSelector("#layer option[value='1']")).click();
        browser.switchTo().defaultContent();
        slider.sendKeys(Keys.HOME);
        assertThat(browser.findElement(By.id("probe-label")).getText()).startsWith("step 10 of 30");
        awaitProbe(10);
        browser.switchTo().frame("probe-frame");
        until(() -> browser.findElement(By.id("layer")).getDomProperty("value").equals("1"));
        assertThat(browser.findElements(By.cssSelector("#strip .tok"))).isNotEmpty();
        List<String> frameProblems = HeadlessChromium.problems(browser);
        browser.switchTo().defaultContent();
        slider.sendKeys(Keys.ARROW_RIGHT);
        assertThat(browser.findElement(By.id("probe-label")).getText()).startsWith("step 20 of 30");
        awaitProbe(20);
        assertThat(frameProblems).isEmpty();
        assertThat(HeadlessChromium.problems(browser)).isEmpty();
    }

    /** Waits until the frame shows the explain page of the probe at {@code step}. */
    private static void awaitProbe(int step) {
        until(() -> (Boolean) browser.executeScript(
                "const f = document.getElementById('probe-frame');"
                        + "return f.contentWindow.location.pathname === '/probe/' + arguments[0]"
                        + " && f.contentDocument.readyState === 'complete' && !!f.contentDocument.getElementById('heatmap');", step));
    }

    /** Polls {@code condition} until it holds; after 30 s the page has hung. */
    private static void until(BooleanSupplier condition) {
        long end = System.nanoTime() + 30_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waited 30 s for the page").isLessThan(end);
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
