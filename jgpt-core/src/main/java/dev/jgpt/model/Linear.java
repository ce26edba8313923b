package dev.jgpt.model;

import dev.jgpt.tensor.Kernels;
import dev.jgpt.tensor.WeightMatrix;

/** A linear map {@code y = x·W + b} of the model: a weight viewed where it lies and an optional bias (null). */
public record Linear(WeightMatrix weight, float[] bias) {

    public Linear {
        if (weight == null) {
            throw new IllegalArgumentException("a linear map needs a weight");
        }
        if (bias != null && bias.length != weight.out()) {
            throw new IllegalArgumentException(weight.name() + ": bias of " + bias.length + " for " + weight.out() + " outputs");
        }
    }

    public int in() {
        return weight.in();
    }

    public int out() {
        return weight.out();
    }

    /** y[m, out] = x[m, in] · W + b. */
    void apply(float[] x, int m, float[] y) {
        Kernels.linear(x, m, weight, bias, y);
    }
}
