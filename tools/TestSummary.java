import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The one line `./jgpt test` ends with: tests run, failed and skipped in every module, and why
 * the skipped ones skipped.
 *
 * <p>Usage: {@code java tools/TestSummary.java ROOT STAMP}: reads the surefire reports under
 * ROOT written after the file STAMP was touched (so reports of an earlier run never count).
 */
public class TestSummary {
    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        long since = Files.getLastModifiedTime(Path.of(args[1])).toMillis();
        int run = 0;
        List<String> failed = new ArrayList<>();
        Map<String, Integer> skipped = new TreeMap<>();
        for (Path report : reports(root, since)) {
            NodeList cases = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(report.toFile())
                    .getElementsByTagName("testcase");
            for (int i = 0; i < cases.getLength(); i++) {
                Element testCase = (Element) cases.item(i);
                run++;
                String name = testCase.getAttribute("classname").replaceAll(".*\\.", "") + "." + testCase.getAttribute("name");
                if (has(testCase, "failure") || has(testCase, "error")) {
                    failed.add(name);
                }
                NodeList skip = testCase.getElementsByTagName("skipped");
                if (skip.getLength() > 0) {
                    skipped.merge(reason((Element) skip.item(0)), 1, Integer::sum);
                }
            }
        }
        int skippedCount = skipped.values().stream().mapToInt(Integer::intValue).sum();
        StringBuilder line = new StringBuilder("jgpt test: " + run + " tests run, " + failed.size() + " failed, " + skippedCount + " skipped");
        if (!skipped.isEmpty()) {
            List<String> reasons = new ArrayList<>();
            skipped.forEach((reason, count) -> reasons.add(count + " × " + reason));
            line.append(" (").append(String.join("; ", reasons)).append(")");
        }
        if (!failed.isEmpty()) {
            line.append("; failed: ").append(String.join(", ", failed.subList(0, Math.min(10, failed.size()))))
                    .append(failed.size() > 10 ? ", ..." : "");
        }
        System.out.println(line);
    }

    private static List<Path> reports(Path root, long since) throws Exception {
        try (Stream<Path> files = Files.walk(root, 4)) {
            return files.filter(p -> p.getFileName().toString().matches("TEST-.*\\.xml"))
                    .filter(p -> p.getParent().getFileName().toString().equals("surefire-reports"))
                    .filter(p -> p.toFile().lastModified() >= since)
                    .sorted().toList();
        }
    }

    /** Why a test skipped: its assumption's message, without paths or parenthesised advice, so that alike reasons group. */
    private static String reason(Element skip) {
        String text = skip.getAttribute("message").isBlank() ? skip.getTextContent() : skip.getAttribute("message");
        String first = text.strip().lines().findFirst().orElse("");
        String reason = first.replaceFirst("^.*?Assumption failed: ", "").replaceAll(" \\(.*", "").replaceAll("\\S*/\\S*", "…").strip();
        return reason.isEmpty() ? "disabled" : reason;
    }

    private static boolean has(Element testCase, String tag) {
        return testCase.getElementsByTagName(tag).getLength() > 0;
    }
}
