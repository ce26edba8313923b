package dev.jgpt.inspect;

import dev.jgpt.JgptException;
import dev.jgpt.inspect.Explanation.Candidate;
import dev.jgpt.inspect.Explanation.ModelSummary;
import dev.jgpt.inspect.Explanation.Next;
import dev.jgpt.inspect.Explanation.Position;
import dev.jgpt.inspect.Explanation.Ranked;
import dev.jgpt.inspect.Explanation.Token;
import dev.jgpt.model.ModelConfig;
import dev.jgpt.model.Transformer;
import dev.jgpt.tensor.Kernels;
import dev.jgpt.tokenizer.Tokenizer;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns the {@link Trace} of a text into an {@link Explanation}: what a person reads about each step. */
public final class Explainer {
    /** The temperatures {@link Explanation#temperatures} shows the next-token top-k at. */
    public static final List<Double> TEMPERATURES = List.of(0.5, 1.0, 2.0);

    private final Transformer model;
    private final Tokenizer tokenizer;
    private final int topK;
    private final float[] scratch; // [vocab]

    private Explainer(Transformer model, Tokenizer tokenizer, int topK) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.topK = topK;
        this.scratch = new float[model.config().vocabSize()];
    }

    /**
     * Explains {@code tokens} (a whole sequence, its BOS included when the model expects one)
     * with the {@code topK} most likely tokens at each step; {@code modelName} labels the result.
     */
    public static Explanation explain(Transformer model, Tokenizer tokenizer, String modelName, int[] tokens, int topK) {
        if (topK < 1) {
            throw new JgptException("the top-k must be at least 1, got " + topK);
        }
        return new Explainer(model, tokenizer, topK).explain(modelName, Trace.record(model, tokens));
    }

    private Explanation explain(String modelName, Trace trace) {
        ModelConfig c = model.config();
        int[] tokens = trace.tokens();
        int t = tokens.length;
        List<Token> pieces = new ArrayList<>();
        for (int id : tokens) {
            pieces.add(new Token(id, piece(id)));
        }
        List<Position> positions = new ArrayList<>();
        double[] logprobs = new double[t - 1];
        for (int p = 0; p < t; p++) {
            float logSumExp = softmax(trace.logits(p));
            positions.add(position(trace.logits(p)));
            if (p + 1 < t) {
                logprobs[p] = trace.logits(p)[tokens[p + 1]] - (double) logSumExp;
            }
        }
        Position last = positions.getLast();
        List<List<Candidate>> lens = new ArrayList<>();
        float[] lensLogits = new float[c.vocabSize()];
        for (int layer = 0; layer < c.layers(); layer++) {
            model.readOut(trace.residual(layer, t - 1), 0, lensLogits);
            softmax(lensLogits);
            lens.add(candidates(position(lensLogits).top()));
        }
        ModelSummary summary = new ModelSummary(modelName, c.architecture().name(), c.layers(), c.heads(), c.embd(),
                c.vocabSize(), c.contextLength());
        return new Explanation(summary, pieces, new Next(candidates(last.top()), last.restProb()), temperatures(last.top()),
                logprobs, t < 2 ? null : perplexity(logprobs), trace.attention(), lens, positions);
    }

    /** {@code scratch} = softmax(logits); returns ln Σ exp(logits). */
    private float softmax(float[] logits) {
        System.arraycopy(logits, 0, scratch, 0, scratch.length);
        return Kernels.softmax(scratch, 0, scratch.length, 1f);
    }

    /** The top-k of {@code logits} whose probabilities {@link #softmax} left in {@code scratch}. */
    private Position position(float[] logits) {
        List<Ranked> top = new ArrayList<>();
        double mass = 0;
        for (int id : TopTokens.of(logits, logits.length, topK)) {
            top.add(new Ranked(id, piece(id), logits[id], scratch[id]));
            mass += scratch[id];
        }
        return new Position(top, Math.max(0, 1 - mass));
    }

    private static List<Candidate> candidates(List<Ranked> ranked) {
        return ranked.stream().map(r -> new Candidate(r.id(), r.piece(), r.prob())).toList();
    }

    /** The same top-k entries, re-softmaxed over themselves at each temperature: p_i ∝ exp(logit_i / τ). */
    static Map<String, List<Candidate>> temperatures(List<Ranked> top) {
        Map<String, List<Candidate>> result = new LinkedHashMap<>();
        float[] scaled = new float[top.size()];
        for (double temperature : TEMPERATURES) {
            for (int i = 0; i < scaled.length; i++) {
                scaled[i] = (float) (top.get(i).logit() / temperature);
            }
            Kernels.softmax(scaled, 0, scaled.length);
            List<Candidate> entries = new ArrayList<>();
            for (int i = 0; i < scaled.length; i++) {
                entries.add(new Candidate(top.get(i).id(), top.get(i).piece(), scaled[i]));
            }
            result.put(label(temperature), entries);
        }
        return result;
    }

    /** 0.5 → "0.5", 1.0 → "1". */
    static String label(double temperature) {
        return BigDecimal.valueOf(temperature).stripTrailingZeros().toPlainString();
    }

    private static double perplexity(double[] logprobs) {
        double sum = 0;
        for (double lp : logprobs) {
            sum += lp;
        }
        return Math.exp(-sum / logprobs.length);
    }

    /** A token's piece; ids past the tokenizer's vocabulary (padding rows of the embedding) get a placeholder. */
    private String piece(int id) {
        return Pieces.of(tokenizer, id);
    }
}
