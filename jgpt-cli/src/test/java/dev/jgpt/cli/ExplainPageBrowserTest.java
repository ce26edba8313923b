package dev.jgpt.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The explain page in a real headless Chromium (Debian's chromium and chromedriver, driven by
 * Selenium), loaded from file:// as a user opens it: it runs without errors and fetches nothing,
 * the temperature slider recomputes the bars, a click on a token shows that position's
 * distribution, and the attention pickers redraw the heatmap with the chosen matrix.
 */
class ExplainPageBrowserTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    static ChromeDriver browser;
    static Path smallPage;
    static JsonNode small;

    @BeforeAll
    static void startBrowser() throws IOException {
        browser = HeadlessChromium.start(dir.resolve("profile")).orElse(null);
        if (browser == null) {
            return; // each test is then reported as skipped, with the reason
        }
        String json = ExplainSample.json(12, 2, 3, 11);
        small = JSON.readTree(json);
        smallPage = dir.resolve("small.html");
        ExplainPage.write(smallPage, json);
    }

    @BeforeEach
    void needsTheBrowser() {
        assumeTrue(browser != null, HeadlessChromium.ABSENT);
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void loadsWithoutErrorsAndFetchesNothing() {
        open(smallPage);
        assertThat(problems()).isEmpty();
        assertThat((Long) script("return performance.getEntriesByType('resource').length")).isZero();
        assertThat(browser.findElements(By.cssSelector("#strip .tok"))).hasSize(12);
        assertThat(browser.getTitle()).contains(ExplainSample.MODEL);
        assertThat(text("#shape")).contains("2 layers", "3 heads");
        assertThat(text("#stats")).contains(String.format("%.2f", small.get("perplexity").asDouble()));
        // one lens row per layer, a header and the model's output
        assertThat(browser.findElements(By.cssSelector("#lens tr"))).hasSize(small.get("logit_lens").size() + 2);
        // the selected token starts as the last one: its distribution is the prediction after the text
        assertThat(text("#dist-title")).contains("#11");
        assertThat(bars()).extracting(Bar::id).containsExactlyElementsOf(ids(small.get("positions").get(11).get("top")));
    }

    @Test
    void temperatureSliderRecomputesTheSoftmaxFromTheStoredLogits() {
        open(smallPage);
        browser.findElement(By.id("tok-4")).click();
        JsonNode top = small.get("positions").get(4).get("top");
        double[] logits = new double[top.size()];
        for (int k = 0; k < logits.length; k++) logits[k] = top.get(k).get("logit").asDouble();

        List<Bar> atOne = bars();
        assertMatches(atOne, ExplainSample.softmax(logits, 1));

        WebElement slider = browser.findElement(By.id("temperature"));
        slider.sendKeys(Keys.END);
        assertThat(text("#temperature-value")).contains("2.00");
        List<Bar> atTwo = bars();
        assertMatches(atTwo, ExplainSample.softmax(logits, 2));
        assertThat(atTwo.getFirst().width()).isLessThan(atOne.getFirst().width());
        assertThat(atTwo.getLast().width()).isGreaterThan(atOne.getLast().width());

        slider.sendKeys(Keys.ARROW_LEFT, Keys.ARROW_LEFT, Keys.ARROW_LEFT, Keys.ARROW_LEFT);
        assertMatches(bars(), ExplainSample.softmax(logits, 1.8));

        slider.sendKeys(Keys.HOME);
        List<Bar> greedy = bars();
        assertThat(greedy.getFirst().prob()).isEqualTo(1.0);
        assertThat(greedy.getFirst().value()).isEqualTo("100.0%");
        assertThat(greedy.subList(1, greedy.size())).allSatisfy(bar -> assertThat(bar.width()).isZero());
        assertThat(problems()).isEmpty();
    }

    @Test
    void clickingATokenShowsThatPositionsDistribution() {
        open(smallPage);
        JsonNode tokens = small.get("tokens");
        for (int position : new int[] {2, 7, 0}) {
            browser.findElement(By.id("tok-" + position)).click();
            assertThat(text("#dist-title")).contains("#" + position);
            assertThat(browser.findElement(By.id("tok-" + position)).getAttribute("aria-selected")).isEqualTo("true");
            JsonNode top = small.get("positions").get(position).get("top");
            List<Bar> bars = bars();
            assertThat(bars).extracting(Bar::id).containsExactlyElementsOf(ids(top));
            int actualNext = tokens.get(position + 1).get("id").asInt();
            assertThat(bars).filteredOn(Bar::actual).extracting(Bar::id)
                    .containsExactlyElementsOf(ids(top).contains(actualNext) ? List.of(actualNext) : List.of());
        }
        // the keyboard moves the selection along the strip
        browser.switchTo().activeElement().sendKeys(Keys.ARROW_RIGHT);
        assertThat(text("#dist-title")).contains("#1");
        assertThat(bars()).extracting(Bar::id).containsExactlyElementsOf(ids(small.get("positions").get(1).get("top")));
        assertThat(problems()).isEmpty();
    }

    @Test
    void attentionPickersDrawTheChosenMatrix() {
        open(smallPage);
        assertHeatmapShows(attention(0, -1));
        String meanOfFirstLayer = canvasImage();

        browser.findElement(By.cssSelector("#layer option[value='1']")).click();
        assertThat(canvasImage()).isNotEqualTo(meanOfFirstLayer);
        assertHeatmapShows(attention(1, -1));

        browser.findElement(By.cssSelector("#head option[value='2']")).click();
        assertHeatmapShows(attention(1, 2));
        assertThat(text("#attends-title")).contains("layer 1, head 2");
        assertThat(problems()).isEmpty();
    }

    @Test
    void worksForOneTokenAndForAThousand() throws IOException {
        // a single token, and the model given by its name alone
        ObjectNode single = (ObjectNode) JSON.readTree(ExplainSample.json(1, 1, 2, 3));
        single.put("model", "just a name");
        Path one = dir.resolve("one.html");
        ExplainPage.write(one, single.toString());
        open(one);
        assertThat(browser.getTitle()).contains("just a name");
        assertThat(text("#dist-title")).contains("#0");
        assertThat(text("#stats")).contains("needs two tokens");
        assertThat(problems()).isEmpty();

        Path large = dir.resolve("large.html");
        String json = ExplainSample.json(1000, 1, 1, 4);
        ExplainPage.write(large, json);
        open(large);
        assertThat((Long) script("return document.querySelectorAll('#strip .tok').length")).isEqualTo(1000);
        assertThat((Long) script("const s = document.getElementById('strip'); return s.scrollHeight - s.clientHeight;"))
                .as("the strip scrolls instead of growing").isPositive();
        WebElement token = browser.findElement(By.id("tok-500"));
        script("arguments[0].scrollIntoView({block: 'center'});", token);
        token.click();
        assertThat(text("#dist-title")).contains("#500");
        assertThat(bars()).extracting(Bar::id)
                .containsExactlyElementsOf(ids(JSON.readTree(json).get("positions").get(500).get("top")));
        assertThat(problems()).isEmpty();
    }

    // ------------------------------------------------------------------ helpers

    record Bar(int id, double prob, double width, boolean actual, String value) {}

    private static void open(Path page) {
        HeadlessChromium.open(browser, page.toUri().toString());
    }

    private static List<String> problems() {
        return HeadlessChromium.problems(browser);
    }

    private static Object script(String code, Object... args) {
        return browser.executeScript(code, args);
    }

    private static String text(String css) {
        return browser.findElement(By.cssSelector(css)).getText();
    }

    /** The bars of the next-token panel as drawn: token id, the probability behind it, the bar's width (0..1 of its track). */
    private static List<Bar> bars() {
        List<?> rows = (List<?>) script("""
                return [...document.querySelectorAll('#bars .bar-row')].map(row => [
                  Number(row.dataset.id), Number(row.dataset.prob),
                  row.querySelector('.bar-fill').getBoundingClientRect().width / row.querySelector('.bar-track').getBoundingClientRect().width,
                  row.classList.contains('actual'), row.querySelector('.bar-value').textContent]);
                """);
        return rows.stream().map(row -> (List<?>) row).map(row -> new Bar(((Number) row.get(0)).intValue(),
                ((Number) row.get(1)).doubleValue(), ((Number) row.get(2)).doubleValue(), (Boolean) row.get(3),
                (String) row.get(4))).toList();
    }

    private static void assertMatches(List<Bar> bars, double[] expected) {
        assertThat(bars).hasSize(expected.length);
        for (int k = 0; k < expected.length; k++) {
            assertThat(bars.get(k).prob()).as("probability of bar %d", k).isCloseTo(expected[k], within(1e-9));
            assertThat(bars.get(k).width()).as("width of bar %d", k).isCloseTo(expected[k], within(0.01));
            assertThat(bars.get(k).value()).as("label of bar %d", k).isEqualTo(percent(expected[k]));
        }
    }

    /** The page's percent format, for the probabilities this test meets (all at least 0.01%). */
    private static String percent(double p) {
        double v = 100 * p;
        return String.format(java.util.Locale.ROOT, v >= 10 ? "%.1f%%" : "%.2f%%", v);
    }

    private static List<Integer> ids(JsonNode entries) {
        List<Integer> ids = new ArrayList<>();
        entries.forEach(entry -> ids.add(entry.get("id").asInt()));
        return ids;
    }

    /** The sample's attention matrix [query][key] for a layer and head, or the mean over heads (head -1). */
    private static double[][] attention(int layer, int head) {
        JsonNode heads = small.get("attention").get(layer);
        int n = small.get("tokens").size();
        double[][] m = new double[n][n];
        for (int h = 0; h < heads.size(); h++) {
            if (head >= 0 && h != head) continue;
            double share = head >= 0 ? 1 : 1.0 / heads.size();
            for (int q = 0; q < n; q++) {
                for (int k = 0; k < n; k++) m[q][k] += share * heads.get(h).get(q).get(k).asDouble();
            }
        }
        return m;
    }

    private static String canvasImage() {
        return (String) script("return document.getElementById('heatmap').toDataURL()");
    }

    /**
     * Reads the weights back from the heatmap's pixels (colour = low + (high - low) * sqrt(weight), on
     * the channel where the two colours differ most) and compares them with the matrix; cells above
     * the diagonal must have the masked colour.
     */
    private static void assertHeatmapShows(double[][] expected) {
        int n = expected.length;
        List<?> pixels = (List<?>) script("""
                const c = document.getElementById('heatmap');
                return Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data);""");
        assertThat(pixels).hasSize(4 * n * n);
        int[] lo = colour("--heat-lo");
        int[] hi = colour("--heat-hi");
        int[] masked = colour("--heat-masked");
        int channel = 0;
        for (int c = 1; c < 3; c++) if (Math.abs(hi[c] - lo[c]) > Math.abs(hi[channel] - lo[channel])) channel = c;
        double step = 1.0 / Math.abs(hi[channel] - lo[channel]);
        for (int q = 0; q < n; q++) {
            for (int k = 0; k < n; k++) {
                int at = 4 * (q * n + k);
                if (k > q) {
                    for (int c = 0; c < 3; c++) {
                        assertThat(((Number) pixels.get(at + c)).intValue()).as("masked cell %d,%d", q, k).isEqualTo(masked[c]);
                    }
                } else {
                    double shade = (((Number) pixels.get(at + channel)).intValue() - lo[channel]) / (double) (hi[channel] - lo[channel]);
                    assertThat(shade).as("cell %d,%d", q, k).isCloseTo(Math.sqrt(expected[q][k]), within(1.5 * step));
                }
            }
        }
    }

    private static int[] colour(String property) {
        String value = (String) script("return getComputedStyle(document.documentElement).getPropertyValue(arguments[0])", property);
        return Stream.of(value.split(",")).mapToInt(part -> Integer.parseInt(part.trim())).toArray();
    }
}
