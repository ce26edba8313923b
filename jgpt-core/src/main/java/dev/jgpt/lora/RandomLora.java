package dev.jgpt.lora;

import dev.jgpt.model.ModelWeights;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * LoRA adapters with random factors for a model's shapes: what tests and benchmarks apply when no
 * trained adapter is at hand. A is N(0, 1/in) as LoRA initialises it; B, which training starts at
 * zero, is N(0, std²) so that the adapter changes what the model computes.
 */
public final class RandomLora {
    private RandomLora() {}

    /** An adapter of {@code rank} for the linear maps of {@code base} whose GGUF names {@code targets} accepts. */
    public static LoraAdapter of(ModelWeights base, Predicate<String> targets, int rank, float alpha, double std, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, LoraPair> pairs = new TreeMap<>();
        Adapters.linears(base).forEach((name, linear) -> {
            if (targets.test(name)) {
                float[] a = gaussian(random, rank * linear.in(), 1 / Math.sqrt(linear.in()));
                float[] b = gaussian(random, linear.out() * rank, std);
                pairs.put(name, new LoraPair(linear.in(), linear.out(), rank, a, b));
            }
        });
        return new LoraAdapter(base.config().architecture().name(), alpha, pairs);
    }

    private static float[] gaussian(SplittableRandom random, int n, double std) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) (random.nextGaussian() * std);
        }
        return values;
    }
}
