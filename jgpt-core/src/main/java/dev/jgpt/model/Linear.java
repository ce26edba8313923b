package dev.jgpt.model;

import dev.jgpt.tensor.Kernels;
import dev.jgpt.tensor.LowRank;
import dev.jgpt.tensor.WeightMatrix;

/**
 * A linear map {@code y = x·W + b} of the model: a weight viewed where it lies, an optional bias
 * (null), and an optional low-rank term that LoRA adapters add (null).
 */
public record Linear(WeightMatrix weight, float[] bias, LowRank adapter) {

    public Linear {
        if (weight == null) {
            throw new IllegalArgumentException("a linear map needs a weight");
        }
        if (bias != null && bias.length != weight.out()) {
            throw new IllegalArgumentException(weight.name() + ": bias of " + bias.length + " for " + weight.out() + " outputs");
        }
        if (adapter != null && (adapter.in() != weight.in() || adapter.out() != weight.out())) {
            throw new IllegalArgumentException(weight.name() + ": a low-rank term " + adapter.in() + " → " + adapter.out()
                    + " for a map " + weight.in() + " → " + weight.out());
        }
    }

    public Linear(WeightMatrix weight, float[] bias) {
        this(weight, bias, null);
    }

    /** This map with {@code term} added to it (to the term it has, if any). */
    public Linear adapted(LowRank term) {
        return new Linear(weight, bias, adapter == null ? term : adapter.plus(term));
    }

    public int in() {
        return weight.in();
    }

    public int out() {
        return weight.out();
    }

    /** y[m, out] = x[m, in] · W + b (+ the adapter's term). */
    void apply(float[] x, int m, float[] y) {
        Kernels.linear(x, m, weight, bias, y);
        if (adapter != null) {
            adapter.addTo(x, m, y);
        }
    }
}
