package dev.jgpt.train;

import java.util.List;
import java.util.Locale;

/** The loss curve as a standalone SVG picture: training loss per step, validation loss per evaluation. */
final class LossChart {
    private static final int WIDTH = 800;
    private static final int HEIGHT = 450;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 40;
    private static final int BOTTOM = 50;

    private LossChart() {}

    static String svg(LossHistory history) {
        List<LossHistory.StepRecord> steps = history.steps();
        List<LossHistory.EvalRecord> evals = history.evals();
        long maxStep = 1;
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (LossHistory.StepRecord s : steps) {
            maxStep = Math.max(maxStep, s.step());
            lo = Math.min(lo, s.loss());
            hi = Math.max(hi, s.loss());
        }
        for (LossHistory.EvalRecord e : evals) {
            maxStep = Math.max(maxStep, e.step());
            lo = Math.min(lo, e.validationLoss());
            hi = Math.max(hi, e.validationLoss());
        }
        if (!(lo < hi)) {
            lo = Double.isFinite(lo) ? lo - 1 : 0;
            hi = lo + 2;
        }
        Scale x = new Scale(0, maxStep, LEFT, WIDTH - RIGHT);
        Scale y = new Scale(lo, hi, HEIGHT - BOTTOM, TOP);
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n",
                WIDTH, HEIGHT, WIDTH, HEIGHT));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"15\">Loss (cross-entropy, nats per token)</text>%n", LEFT));
        axes(svg, x, y, maxStep, lo, hi);
        svg.append(polyline(steps.stream().map(s -> new double[] {x.map(s.step()), y.map(s.loss())}).toList(), "#4c78a8", 1.2));
        svg.append(polyline(evals.stream().map(e -> new double[] {x.map(e.step()), y.map(e.validationLoss())}).toList(), "#e45756", 2));
        for (LossHistory.EvalRecord e : evals) {
            svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"#e45756\"/>%n",
                    x.map(e.step()), y.map(e.validationLoss())));
        }
        legend(svg);
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static void axes(StringBuilder svg, Scale x, Scale y, long maxStep, double lo, double hi) {
        svg.append(String.format(Locale.ROOT, "<g stroke=\"#999\"><line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/><line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/></g>%n",
                LEFT, HEIGHT - BOTTOM, WIDTH - RIGHT, HEIGHT - BOTTOM, LEFT, TOP, LEFT, HEIGHT - BOTTOM));
        for (int i = 0; i <= 5; i++) {
            double value = lo + (hi - lo) * i / 5;
            double py = y.map(value);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.2f</text>%n", LEFT, py, WIDTH - RIGHT, py, LEFT - 6, py + 4, value));
            long step = Math.round((double) maxStep * i / 5);
            double px = x.map(step);
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>%n", px, HEIGHT - BOTTOM + 18, step));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">step</text>%n",
                (LEFT + WIDTH - RIGHT) / 2, HEIGHT - 10));
    }

    private static void legend(StringBuilder svg) {
        int lx = WIDTH - RIGHT - 170;
        svg.append(String.format(Locale.ROOT, "<g><line x1=\"%d\" y1=\"20\" x2=\"%d\" y2=\"20\" stroke=\"#4c78a8\" stroke-width=\"2\"/>"
                + "<text x=\"%d\" y=\"24\">training</text>", lx, lx + 20, lx + 26));
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"20\" x2=\"%d\" y2=\"20\" stroke=\"#e45756\" stroke-width=\"2\"/>"
                + "<text x=\"%d\" y=\"24\">validation</text></g>%n", lx + 85, lx + 105, lx + 111));
    }

    private static String polyline(List<double[]> points, String colour, double width) {
        if (points.isEmpty()) {
            return "";
        }
        StringBuilder p = new StringBuilder();
        for (double[] point : points) {
            p.append(String.format(Locale.ROOT, "%.1f,%.1f ", point[0], point[1]));
        }
        return String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"%.1f\" points=\"%s\"/>%n",
                colour, width, p.toString().trim());
    }

    /** A linear map from data values [from, to] to pixels [start, end]. */
    private record Scale(double from, double to, double start, double end) {
        double map(double value) {
            return start + (value - from) / (to - from) * (end - start);
        }
    }
}
