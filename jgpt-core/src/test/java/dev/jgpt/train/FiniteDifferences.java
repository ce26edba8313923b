package dev.jgpt.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jgpt.model.load.HfTensors;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * The backward against finite differences of the forward, for every tensor of the parameters a
 * model trains. The loss is float32 (≈ 1e-7 relative noise), so the differences use a large step
 * h = 1e-2 with the five-point formula (truncation O(h⁴)), on the coordinates where the gradient
 * is largest (where a wrong gradient shows) plus a few random ones; tolerance 1% of the gradient
 * plus 1e-4. A gradient off by 5% fails.
 */
final class FiniteDifferences {
    private static final double H = 1e-2;
    private static final double RELATIVE = 1e-2;
    private static final double ABSOLUTE = 1e-4;

    private FiniteDifferences() {}

    /** Checks the gradients of one batch; returns the largest gradient checked (a check of zeros shows nothing). */
    static double check(String what, Trainable model, ParameterTensors parameters, int[] inputs, int[] targets, int batch,
                        int seq) {
        model.zeroGradients();
        model.step(inputs, targets, batch, seq, 1f);
        float[] gradients = model.gradients().clone();
        MemorySegment data = parameters.data();
        SplittableRandom random = new SplittableRandom(5);
        List<String> failures = new ArrayList<>();
        double worst = 0;
        double largest = 0;
        List<HfTensors.Spec> specs = parameters.specs();
        for (int t = 0; t < specs.size(); t++) {
            int offset = parameters.offset(t);
            int count = (int) java.util.Arrays.stream(specs.get(t).shape()).reduce(1, (a, b) -> a * b);
            List<Integer> picks = new ArrayList<>(IntStream.range(0, count).boxed()
                    .sorted(Comparator.comparingDouble(i -> -Math.abs(gradients[offset + i]))).limit(3).toList());
            for (int r = 0; r < 2; r++) {
                picks.add(random.nextInt(count));
            }
            for (int i : picks) {
                long at = offset + i;
                float original = data.getAtIndex(ValueLayout.JAVA_FLOAT, at);
                double[] f = new double[4];
                double[] shifts = {-2 * H, -H, H, 2 * H};
                for (int s = 0; s < 4; s++) {
                    data.setAtIndex(ValueLayout.JAVA_FLOAT, at, (float) (original + shifts[s]));
                    f[s] = model.loss(inputs, targets, batch, seq);
                }
                data.setAtIndex(ValueLayout.JAVA_FLOAT, at, original);
                double numeric = (f[0] - 8 * f[1] + 8 * f[2] - f[3]) / (12 * H);
                double analytic = gradients[offset + i];
                largest = Math.max(largest, Math.abs(analytic));
                worst = Math.max(worst, Math.abs(numeric - analytic) / (RELATIVE * Math.abs(analytic) + ABSOLUTE));
                if (Math.abs(numeric - analytic) > RELATIVE * Math.abs(analytic) + ABSOLUTE) {
                    failures.add(String.format("%s[%d]: backward %.6g, finite difference %.6g", specs.get(t).name(), i, analytic,
                            numeric));
                }
            }
        }
        System.out.println(what + ": worst error / tolerance: " + worst + ", largest gradient checked: " + largest);
        assertThat(failures).isEmpty();
        return largest;
    }
}
