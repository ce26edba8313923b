package dev.jgpt.model;

import dev.jgpt.tensor.GradientKernels;
import dev.jgpt.tensor.Kernels;
import dev.jgpt.tensor.LowRank;
import dev.jgpt.tensor.TransposedLinear;
import dev.jgpt.tensor.WeightMatrix;

/**
 * A linear map {@code y = x·W + b} of the model: a weight viewed where it lies, an optional bias
 * (null), and an optional low-rank term that LoRA adapters add (null). Every projection of
 * attention and of the MLP goes through {@link #apply}, in inference and in training, and back
 * through {@link #backward}.
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
    public void apply(float[] x, int m, float[] y) {
        Kernels.linear(x, m, weight, bias, y);
        if (adapter != null) {
            adapter.addTo(x, m, y);
        }
    }

    /**
     * The backward of {@link #apply} over m rows, given dy [m × out] and the input x [m × in]:
     * {@code dx = dy · Wᵀ} (written, when dx is not null) through the weight whatever its dtype,
     * and apart from it the parameter gradients into {@code grads}: {@code dW += xᵀ·dy} and
     * {@code db += Σ rows dy}, each only when its slot is not {@link Gradients#FROZEN}. With an
     * adapter joined, dx takes its term's part too and its factors their gradients
     * ({@link LowRank#backward}) at their slots.
     */
    public void backward(float[] x, float[] dy, int m, float[] dx, float[] grads, Gradients.LinearSlots slots) {
        if (dx != null) {
            TransposedLinear.apply(dy, m, weight, dx);
        }
        if (adapter != null) {
            adapter.backward(x, dy, m, dx, grads, slots.adapterDown(), slots.adapterUp());
        }
        if (slots.weight() != Gradients.FROZEN) {
            if (weight.layout() == WeightMatrix.Layout.IN_OUT) {
                GradientKernels.weightGradient(x, 0, dy, 0, m, in(), out(), grads, slots.weight());
            } else {
                GradientKernels.weightGradient(dy, 0, x, 0, m, out(), in(), grads, slots.weight());
            }
        }
        if (slots.bias() != Gradients.FROZEN) {
            GradientKernels.biasGradient(dy, 0, m, out(), grads, slots.bias());
        }
    }
}
