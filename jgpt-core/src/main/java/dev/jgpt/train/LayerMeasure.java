package dev.jgpt.train;

import dev.jgpt.tensor.Parallel;
import dev.jgpt.tensor.VectorMath;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Measures {@link LayerStatistics} around one optimizer step: {@link #before} takes the gradients'
 * squares per layer and a copy of the parameters, {@link #after} compares the updated parameters
 * with that copy. Tensors are summed in parallel, each in a fixed order.
 */
final class LayerMeasure {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final int BLOCK = 16 * L;
    private static final Pattern BLOCK_INDEX = Pattern.compile("(?:^|\\.)(\\d+)\\.");

    private final ParameterTensors parameters;
    private final List<String> layers = new ArrayList<>();
    private final int[] layerOfTensor;
    private final float[] before;
    private double[] gradientSquares;

    LayerMeasure(ParameterTensors parameters) {
        this.parameters = parameters;
        this.layerOfTensor = new int[parameters.specs().size()];
        for (int i = 0; i < layerOfTensor.length; i++) {
            String layer = layerName(parameters.specs().get(i).name());
            if (!layers.contains(layer)) {
                layers.add(layer);
            }
            layerOfTensor[i] = layers.indexOf(layer);
        }
        this.before = new float[parameters.count()];
    }

    /** "layer N" for a tensor of block N ({@code h.3.attn.c_attn.weight}, {@code blk.3.attn_q.weight.lora_a}), else its own name. */
    static String layerName(String tensor) {
        Matcher block = BLOCK_INDEX.matcher(tensor);
        return block.find() ? "layer " + block.group(1) : tensor.replaceFirst("\\.(weight|bias)$", "");
    }

    /** Before clipping and the optimizer's step: the gradients' squares, and the parameters as they are. */
    void before(float[] gradients) {
        MemorySegment.copy(parameters.data(), ValueLayout.JAVA_FLOAT_UNALIGNED, 0, before, 0, before.length);
        MemorySegment g = MemorySegment.ofArray(gradients);
        gradientSquares = perLayer(perTensor((from, to) -> squares(g, null, from, to)));
    }

    /** After the optimizer's step: each layer's gradient norm and update/weight ratio. */
    List<LayerStatistics> after() {
        MemorySegment p = parameters.data();
        MemorySegment old = MemorySegment.ofArray(before);
        double[] updates = perLayer(perTensor((from, to) -> squares(p, old, from, to)));
        double[] weights = perLayer(perTensor((from, to) -> squares(p, null, from, to)));
        List<LayerStatistics> result = new ArrayList<>();
        for (int l = 0; l < layers.size(); l++) {
            double ratio = weights[l] > 0 ? Math.sqrt(updates[l] / weights[l]) : 0;
            result.add(new LayerStatistics(layers.get(l), Math.sqrt(gradientSquares[l]), ratio));
        }
        return result;
    }

    private interface RangeSum {
        double of(int from, int to);
    }

    private double[] perTensor(RangeSum sum) {
        int tensors = layerOfTensor.length;
        double[] result = new double[tensors];
        Parallel.forRange(tensors, (t0, t1) -> {
            for (int t = t0; t < t1; t++) {
                int end = t + 1 < tensors ? parameters.offset(t + 1) : parameters.count();
                result[t] = sum.of(parameters.offset(t), end);
            }
        });
        return result;
    }

    private double[] perLayer(double[] perTensor) {
        double[] result = new double[layers.size()];
        for (int t = 0; t < perTensor.length; t++) {
            result[layerOfTensor[t]] += perTensor[t];
        }
        return result;
    }

    /**
     * Σ (a − b)² over floats {@code from..to} of two segments ({@code b} null: Σ a²): float lanes over
     * blocks of {@link #BLOCK} elements, the blocks summed in double.
     */
    private static double squares(MemorySegment a, MemorySegment b, int from, int to) {
        double sum = 0;
        int i = from;
        while (i <= to - L) {
            FloatVector acc = FloatVector.zero(F);
            for (int blockEnd = Math.min(to, i + BLOCK); i <= blockEnd - L; i += L) {
                long at = (long) i * Float.BYTES;
                FloatVector v = FloatVector.fromMemorySegment(F, a, at, ORDER);
                if (b != null) {
                    v = v.sub(FloatVector.fromMemorySegment(F, b, at, ORDER));
                }
                acc = v.fma(v, acc);
            }
            sum += VectorMath.sum(acc);
        }
        for (; i < to; i++) {
            long at = (long) i * Float.BYTES;
            float d = a.get(ValueLayout.JAVA_FLOAT_UNALIGNED, at) - (b == null ? 0 : b.get(ValueLayout.JAVA_FLOAT_UNALIGNED, at));
            sum += (double) d * d;
        }
        return sum;
    }
}
