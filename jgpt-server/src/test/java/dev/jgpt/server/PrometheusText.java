package dev.jgpt.server;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of Prometheus's text exposition format (version 0.0.4), for the tests: every
 * line is a HELP, a TYPE or a sample of a declared family; histograms have increasing {@code le}
 * bounds, cumulative buckets ending in +Inf, and a count equal to the +Inf bucket.
 */
final class PrometheusText {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)\\})? (\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\\\n]|\\\\[\\\\\"n])*)\"(,|$)");

    private PrometheusText() {
    }

    /** The samples by {@code name{labels}} as written, checking every rule; an AssertionError names the first line that breaks one. */
    static Map<String, Double> parse(String text) {
        if (!text.endsWith("\n")) {
            throw new AssertionError("the exposition must end with a line feed");
        }
        Map<String, String> types = new HashMap<>();
        Map<String, Double> samples = new LinkedHashMap<>();
        Map<String, List<double[]>> buckets = new HashMap<>(); // histogram family → (le, cumulative count)
        int n = 0;
        for (String line : text.split("\n", -1)) {
            n++;
            if (line.isEmpty() && n == text.split("\n", -1).length) {
                break;
            }
            if (line.startsWith("# HELP ")) {
                String[] parts = line.split(" ", 4);
                check(parts.length >= 3 && NAME.matcher(parts[2]).matches(), n, line, "a HELP line names a metric");
            } else if (line.startsWith("# TYPE ")) {
                String[] parts = line.split(" ");
                check(parts.length == 4 && NAME.matcher(parts[2]).matches(), n, line, "a TYPE line is '# TYPE name type'");
                check(List.of("counter", "gauge", "histogram", "summary", "untyped").contains(parts[3]), n, line, "a known type");
                check(types.put(parts[2], parts[3]) == null, n, line, "each family's TYPE once");
            } else {
                check(!line.startsWith("#"), n, line, "comments are HELP or TYPE");
                Matcher m = SAMPLE.matcher(line);
                check(m.matches(), n, line, "a sample is 'name{labels} value'");
                String name = m.group(1);
                Map<String, String> labels = labels(m.group(3), n, line);
                double value = value(m.group(4), n, line);
                String family = family(name, types);
                check(family != null, n, line, "a sample's family has a TYPE above it");
                if (types.get(family).equals("histogram") && name.endsWith("_bucket")) {
                    check(labels.containsKey("le"), n, line, "a bucket has an le label");
                    buckets.computeIfAbsent(family, k -> new ArrayList<>()).add(new double[] {value(labels.get("le"), n, line), value});
                }
                if (types.get(family).equals("counter")) {
                    check(name.endsWith("_total") && value >= 0, n, line, "a counter is named *_total and not negative");
                }
                check(samples.put(name + (m.group(2) == null ? "" : m.group(2)), value) == null, n, line, "each sample once");
            }
        }
        buckets.forEach((family, list) -> {
            for (int i = 1; i < list.size(); i++) {
                check(list.get(i)[0] > list.get(i - 1)[0] && list.get(i)[1] >= list.get(i - 1)[1], 0, family, "buckets rise");
            }
            check(list.getLast()[0] == Double.POSITIVE_INFINITY, 0, family, "the last bucket is +Inf");
            check(samples.get(family + "_count") == list.getLast()[1], 0, family, "the count is the +Inf bucket");
            check(samples.containsKey(family + "_sum"), 0, family, "a histogram has a sum");
        });
        return samples;
    }

    private static String family(String name, Map<String, String> types) {
        if (types.containsKey(name)) {
            return name;
        }
        for (String suffix : List.of("_bucket", "_sum", "_count")) {
            String base = name.endsWith(suffix) ? name.substring(0, name.length() - suffix.length()) : null;
            if (base != null && "histogram".equals(types.get(base))) {
                return base;
            }
        }
        return null;
    }

    private static Map<String, String> labels(String text, int n, String line) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (text == null) {
            return labels;
        }
        Matcher m = LABEL.matcher(text);
        int at = 0;
        while (at < text.length()) {
            check(m.find(at) && m.start() == at, n, line, "labels are name=\"value\" separated by commas");
            check(labels.put(m.group(1), m.group(2)) == null, n, line, "each label once");
            at = m.end();
        }
        return labels;
    }

    private static double value(String text, int n, String line) {
        return switch (text) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> {
                check(text.matches("-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?"), n, line, "a value is a number");
                yield Double.parseDouble(text);
            }
        };
    }

    private static void check(boolean ok, int line, String text, String rule) {
        if (!ok) {
            throw new AssertionError("line " + line + " breaks the rule that " + rule + ": " + text);
        }
    }
}
