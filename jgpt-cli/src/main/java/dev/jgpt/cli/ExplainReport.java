package dev.jgpt.cli;

import dev.jgpt.inspect.Explanation;
import dev.jgpt.inspect.Explanation.Candidate;
import dev.jgpt.inspect.Explanation.Token;
import dev.jgpt.inspect.TopTokens;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;

/** {@code jgpt explain} for a person at a terminal: one section per step of the pipeline. */
final class ExplainReport {
    private static final int BAR = 30;
    private static final int SMALL_BAR = 12;
    private static final int SOURCES = 3;
    private static final int LENS_TOP = 3;
    private static final String RESET = "\u001B[0m";
    private static final String GREEN = "\u001B[32m";
    private static final String YELLOW = "\u001B[33m";
    private static final String RED = "\u001B[31m";

    private final PrintWriter out;
    private final Explanation e;
    private final boolean color;

    ExplainReport(PrintWriter out, Explanation explanation, boolean color) {
        this.out = out;
        this.e = explanation;
        this.color = color;
    }

    /** All sections; attention shown for {@code layer}, one {@code head} or (null) the mean over heads. */
    void print(int layer, Integer head) {
        Explanation.ModelSummary m = e.model();
        out.printf("%s: %s, %d layers × %d heads, width %d, %d tokens in the vocabulary%n%n",
                m.name(), m.architecture(), m.layers(), m.heads(), m.embd(), m.vocabSize());
        tokens();
        surprisal();
        next();
        temperatures();
        attention(layer, head);
        logitLens();
    }

    private void tokens() {
        out.printf("Tokens: the text as the model sees it, %d pieces with their ids (· a space, ↵ a newline, → a tab)%n",
                e.tokens().size());
        StringBuilder pieces = new StringBuilder("  |");
        StringBuilder ids = new StringBuilder("  |");
        for (Token t : e.tokens()) {
            String piece = visible(t.piece());
            String id = Integer.toString(t.id());
            int width = Math.max(piece.codePointCount(0, piece.length()), id.length());
            pieces.append(pad(piece, width)).append('|');
            ids.append(pad(id, width)).append('|');
        }
        out.println(pieces);
        out.println(ids);
        out.println();
    }

    private void surprisal() {
        out.println("Surprisal: how unexpected each token was to the model, given the tokens before it");
        out.printf("  %4s %8s  %-16s %9s %7s%n", "pos", "id", "piece", "p", "bits");
        List<Token> tokens = e.tokens();
        for (int i = 0; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            String piece = pad(Json.quote(t.piece()), 16);
            if (i == 0) {
                out.printf("  %4d %8d  %s %9s %7s%n", i, t.id(), piece, "—", "—");
                continue;
            }
            double logprob = e.logprobs()[i - 1];
            double bits = -logprob / Math.log(2);
            String bar = "█".repeat((int) Math.min(Math.round(bits), 24));
            out.printf("  %4d %8d  %s %8.2f%% %s%n", i, t.id(), piece, 100 * Math.exp(logprob),
                    paint(bits < 1 ? GREEN : bits < 5 ? YELLOW : RED, String.format("%7.2f %s", bits, bar)));
        }
        if (e.perplexity() != null) {
            double meanBits = Math.log(e.perplexity()) / Math.log(2);
            out.printf("  perplexity %.3f over %d predicted tokens (mean surprisal %.2f bits)%n",
                    e.perplexity(), e.logprobs().length, meanBits);
        } else {
            out.println("  one token: nothing in the text is predicted, so no perplexity");
        }
        out.println();
    }

    private void next() {
        List<Candidate> top = e.next().top();
        out.printf("Next token: the model's top %d after the text (all other tokens together: %.2f%%)%n",
                top.size(), 100 * e.next().restProb());
        for (int i = 0; i < top.size(); i++) {
            Candidate c = top.get(i);
            out.printf("  %3d  %s %7.2f%%  %s%n", i + 1, pad(Json.quote(c.piece()), 16), 100 * c.prob(), bar(c.prob(), BAR));
        }
        out.println();
    }

    private void temperatures() {
        Map<String, List<Candidate>> byTemperature = e.temperatures();
        out.printf("Temperature: the same %d tokens re-softmaxed (p ∝ exp(logit / T)); low T sharpens, high T flattens%n",
                e.next().top().size());
        StringBuilder header = new StringBuilder("  " + pad("", 16));
        for (String t : byTemperature.keySet()) {
            header.append(' ').append(pad("T = " + t, 7 + 1 + SMALL_BAR + 2));
        }
        out.println(header.toString().stripTrailing());
        for (int i = 0; i < e.next().top().size(); i++) {
            StringBuilder line = new StringBuilder("  " + pad(Json.quote(e.next().top().get(i).piece()), 16));
            for (List<Candidate> entries : byTemperature.values()) {
                double p = entries.get(i).prob();
                line.append(' ').append(pad(String.format("%6.2f%% %s", 100 * p, bar(p, SMALL_BAR)), 7 + 1 + SMALL_BAR + 2));
            }
            out.println(line.toString().stripTrailing());
        }
        out.println();
    }

    private void attention(int layer, Integer head) {
        float[][][] heads = e.attention()[layer];
        int t = e.tokens().size();
        out.printf("Attention in layer %d, %s: the earlier tokens each token takes most from%n", layer,
                head == null ? "mean over its " + heads.length + " heads" : "head " + head);
        float[] weights = new float[t];
        for (int q = 0; q < t; q++) {
            for (int k = 0; k <= q; k++) {
                if (head != null) {
                    weights[k] = heads[head][q][k];
                } else {
                    float sum = 0;
                    for (float[][] h : heads) {
                        sum += h[q][k];
                    }
                    weights[k] = sum / heads.length;
                }
            }
            StringBuilder line = new StringBuilder(String.format("  %4d %s ←", q, pad(Json.quote(e.tokens().get(q).piece()), 16)));
            for (int k : TopTokens.of(weights, q + 1, SOURCES)) {
                line.append(String.format("  %s %.2f", Json.quote(e.tokens().get(k).piece()), weights[k]));
            }
            out.println(line);
        }
        out.println();
    }

    private void logitLens() {
        out.println("Logit lens: the next token read from the residual stream after each layer (final norm and");
        out.println("unembedding applied early), at the last position: how the prediction forms layer by layer");
        List<List<Candidate>> lens = e.logitLens();
        for (int layer = 0; layer < lens.size(); layer++) {
            StringBuilder line = new StringBuilder(String.format("  layer %3d ", layer));
            List<Candidate> top = lens.get(layer);
            for (int i = 0; i < Math.min(LENS_TOP, top.size()); i++) {
                line.append(' ').append(pad(String.format("%s %.1f%%", Json.quote(top.get(i).piece()), 100 * top.get(i).prob()), 24));
            }
            out.println(line.toString().stripTrailing());
        }
    }

    /** A piece with its whitespace made visible. */
    static String visible(String piece) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < piece.length(); i++) {
            char c = piece.charAt(i);
            switch (c) {
                case ' ' -> s.append('·');
                case '\n' -> s.append('↵');
                case '\t' -> s.append('→');
                case '\r' -> s.append('␍');
                default -> {
                    if (Character.isISOControl(c)) {
                        s.append(String.format("\\u%04x", (int) c));
                    } else {
                        s.append(c);
                    }
                }
            }
        }
        return s.toString();
    }

    private static String bar(double fraction, int width) {
        int eighths = (int) Math.round(Math.max(0, Math.min(1, fraction)) * width * 8);
        String partial = eighths % 8 == 0 ? "" : String.valueOf("▏▎▍▌▋▊▉".charAt(eighths % 8 - 1));
        return "█".repeat(eighths / 8) + partial;
    }

    /** {@code text} padded with spaces to {@code width} code points (never cut). */
    private static String pad(String text, int width) {
        int length = text.codePointCount(0, text.length());
        return length >= width ? text : text + " ".repeat(width - length);
    }

    private String paint(String code, String text) {
        return color ? code + text + RESET : text;
    }
}
