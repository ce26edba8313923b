package dev.jgpt.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The page file itself: one self-contained document that carries the explanation unchanged. */
class ExplainPageTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern DATA = Pattern.compile(
            "<script type=\"application/json\" id=\"explanation\">(.*?)</script>", Pattern.DOTALL);

    @TempDir
    Path dir;

    @Test
    void embedsTheExplanationSoThatItParsesBackUnchanged() throws IOException {
        String json = ExplainSample.json(40, 2, 3, 1);
        assertThat(json).contains("</script>", "<!--", "\\u0007", "🙂");
        Path page = dir.resolve("page.html");
        ExplainPage.write(page, json);

        String html = Files.readString(page);
        Matcher data = DATA.matcher(html);
        assertThat(data.find()).as("the data element, closed by its own </script>").isTrue();
        assertThat(JSON.readTree(data.group(1))).isEqualTo(JSON.readTree(json));
        // every </script> in the file closes one of the page's own script elements, and no comment opens
        assertThat(count(html, "</script")).isEqualTo(count(html, "<script"));
        assertThat(html).doesNotContain("<!--");
    }

    @Test
    void needsNothingFromTheNetwork() throws IOException {
        Path page = dir.resolve("page.html");
        ExplainPage.write(page, ExplainSample.json(5, 1, 1, 2));
        String html = Files.readString(page);
        String withoutData = DATA.matcher(html).replaceAll("");
        assertThat(withoutData).doesNotContainIgnoringCase("http:").doesNotContainIgnoringCase("https:")
                .doesNotContain("src=").doesNotContain("@import").doesNotContain("url(");
        assertThat(withoutData).contains("<style>", "Content-Security-Policy", "default-src 'none'");
        assertThat(withoutData).doesNotContain("{{");
    }

    @Test
    void replacesAnOldPageAndLeavesNoTemporaryFile() throws IOException {
        Path page = dir.resolve("out").resolve("page.html");
        ExplainPage.write(page, ExplainSample.json(3, 1, 1, 3));
        ExplainPage.write(page, ExplainSample.json(4, 1, 1, 4));
        try (var files = Files.list(page.getParent())) {
            assertThat(files).containsExactly(page);
        }
        Matcher data = DATA.matcher(Files.readString(page));
        assertThat(data.find()).isTrue();
        assertThat(JSON.readTree(data.group(1)).get("tokens")).hasSize(4);
    }

    @Test
    void explainWithHtmlEmbedsWhatExplainWithJsonPrints() throws IOException {
        Path page = dir.resolve("romeo.html");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(new PrintWriter(out, true), new PrintWriter(err, true),
                "explain", "--json", "--html", page.toString(), "ROMEO: </script> <b>");
        assertThat(exit).as(err.toString()).isZero();
        Matcher data = DATA.matcher(Files.readString(page));
        assertThat(data.find()).isTrue();
        assertThat(JSON.readTree(data.group(1))).isEqualTo(JSON.readTree(out.toString()));
    }

    @Test
    void refusesWhatIsNotAnExplanation() {
        Path page = dir.resolve("bad.html");
        assertThatThrownBy(() -> ExplainPage.write(page, "[1, 2]")).hasMessageContaining("expected an object");
        assertThatThrownBy(() -> ExplainPage.write(page, "{\"tokens\": [{\"id\": 1, \"piece\": \"a\"}")).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> ExplainPage.write(page, "{\"tokens\": []}")).hasMessageContaining("non-empty array");
        assertThatThrownBy(() -> ExplainPage.write(page, "{\"tokens\": 3}")).hasMessageContaining("non-empty array");
        assertThatThrownBy(() -> ExplainPage.write(page, "{\"next\": {\"tokens\": [1]}}")).hasMessageContaining("no \"tokens\"");
        assertThatThrownBy(() -> ExplainPage.write(page, "{\"tokens\": [{}]} {}")).hasMessageContaining("more after");
        assertThat(page).doesNotExist();
    }

    private static int count(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) count++;
        return count;
    }
}
