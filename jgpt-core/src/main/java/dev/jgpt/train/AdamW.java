package dev.jgpt.train;

import dev.jgpt.format.FormatException;
import dev.jgpt.format.SafeTensors;
import dev.jgpt.format.SafeTensorsWriter;
import dev.jgpt.model.load.HfTensors;
import dev.jgpt.tensor.DType;
import dev.jgpt.tensor.Parallel;
import dev.jgpt.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * AdamW as {@code torch.optim.AdamW}: per step t, for every parameter p with gradient g,
 * <pre>
 *   p ← p · (1 − lr·weightDecay)                   (tensors of rank ≥ 2 only)
 *   m ← m + (1 − β1)·(g − m)
 *   v ← β2·v + (1 − β2)·g²
 *   p ← p − lr/(1 − β1^t) · m / (√v / √(1 − β2^t) + eps)
 * </pre>
 * The moments m and v are {@code float[]} laid out like the parameters ({@link ParameterTensors}). The state (m, v, t)
 * saves to a safetensors file and loads back bit for bit.
 */
public final class AdamW {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final int PIECE = 1 << 16;

    /** Part of one tensor, the unit of parallel work. */
    private record Piece(int start, int end, boolean decay) {}

    private final ParameterTensors parameters;
    private final AdamWSettings settings;
    private final float[] m;
    private final float[] v;
    private final Piece[] pieces;
    private int steps;

    public AdamW(ParameterTensors parameters, AdamWSettings settings) {
        this.parameters = parameters;
        this.settings = settings;
        this.m = new float[parameters.count()];
        this.v = new float[parameters.count()];
        List<Piece> list = new ArrayList<>();
        List<HfTensors.Spec> specs = parameters.specs();
        for (int i = 0; i < specs.size(); i++) {
            int start = parameters.offset(i);
            int end = i + 1 < specs.size() ? parameters.offset(i + 1) : parameters.count();
            boolean decay = specs.get(i).shape().length >= 2;
            for (int s = start; s < end; s += PIECE) {
                list.add(new Piece(s, Math.min(end, s + PIECE), decay));
            }
        }
        this.pieces = list.toArray(Piece[]::new);
    }

    public AdamWSettings settings() {
        return settings;
    }

    /** Number of steps taken (t of the last step). */
    public int steps() {
        return steps;
    }

    /** One update of every parameter from {@code gradients} (laid out like the parameters) at learning rate {@code lr}. */
    public void step(float[] gradients, float lr) {
        if (gradients.length != m.length) {
            throw new IllegalArgumentException("gradients for " + gradients.length + " parameters, the model has " + m.length);
        }
        steps++;
        double b1 = settings.beta1();
        double b2 = settings.beta2();
        float decayFactor = (float) (1 - (double) lr * settings.weightDecay());
        float stepSize = (float) (lr / (1 - Math.pow(b1, steps)));
        float correction2 = (float) Math.sqrt(1 - Math.pow(b2, steps));
        Update update = new Update(parameters.data(), gradients, m, v, (float) (1 - b1), (float) b2, (float) (1 - b2),
                stepSize, correction2, settings.eps());
        Parallel.forRange(pieces.length, (p0, p1) -> {
            for (int i = p0; i < p1; i++) {
                Piece piece = pieces[i];
                update.run(piece.start(), piece.end(), piece.decay() ? decayFactor : 1f);
            }
        });
    }

    /** The arithmetic of one step over a range of elements. */
    private record Update(MemorySegment p, float[] g, float[] m, float[] v, float oneMinusBeta1, float beta2,
                          float oneMinusBeta2, float stepSize, float correction2, float eps) {
        void run(int start, int end, float decay) {
            int i = start;
            for (; i <= end - L; i += L) {
                long at = (long) i * Float.BYTES;
                FloatVector gv = FloatVector.fromArray(F, g, i);
                FloatVector mv = FloatVector.fromArray(F, m, i);
                mv = gv.sub(mv).mul(oneMinusBeta1).add(mv);
                FloatVector vv = FloatVector.fromArray(F, v, i).mul(beta2).add(gv.mul(gv).mul(oneMinusBeta2));
                FloatVector denom = vv.sqrt().div(correction2).add(eps);
                FloatVector pv = FloatVector.fromMemorySegment(F, p, at, ORDER).mul(decay);
                pv.sub(mv.div(denom).mul(stepSize)).intoMemorySegment(p, at, ORDER);
                mv.intoArray(m, i);
                vv.intoArray(v, i);
            }
            for (; i < end; i++) {
                long at = (long) i * Float.BYTES;
                float gi = g[i];
                float mi = (gi - m[i]) * oneMinusBeta1 + m[i];
                float vi = v[i] * beta2 + gi * gi * oneMinusBeta2;
                float denom = (float) Math.sqrt(vi) / correction2 + eps;
                float pi = p.get(ValueLayout.JAVA_FLOAT_UNALIGNED, at) * decay;
                p.set(ValueLayout.JAVA_FLOAT_UNALIGNED, at, pi - mi / denom * stepSize);
                m[i] = mi;
                v[i] = vi;
            }
        }
    }

    /** Writes m and v ({@code exp_avg.<name>}, {@code exp_avg_sq.<name>}, as torch names them) and the step count. */
    public void save(Path file) {
        List<SafeTensorsWriter.Entry> entries = new ArrayList<>();
        for (String kind : List.of("exp_avg.", "exp_avg_sq.")) {
            float[] moment = kind.equals("exp_avg.") ? m : v;
            List<HfTensors.Spec> specs = parameters.specs();
            for (int i = 0; i < specs.size(); i++) {
                int start = parameters.offset(i);
                int count = (i + 1 < specs.size() ? parameters.offset(i + 1) : parameters.count()) - start;
                entries.add(new SafeTensorsWriter.Entry(kind + specs.get(i).name(), DType.F32, specs.get(i).shape(),
                        target -> MemorySegment.copy(moment, start, target, ValueLayout.JAVA_FLOAT_UNALIGNED, 0, count)));
            }
        }
        SafeTensorsWriter.write(file, entries, Map.of(
                "step", Integer.toString(steps),
                "beta1", Float.toString(settings.beta1()),
                "beta2", Float.toString(settings.beta2()),
                "eps", Float.toString(settings.eps()),
                "weight_decay", Float.toString(settings.weightDecay())));
    }

    /** Replaces the state by the one {@link #save} wrote for a model of the same shape; on error the state is unchanged. */
    public void load(Path file) {
        try (SafeTensors state = SafeTensors.open(file)) {
            int loadedSteps;
            try {
                loadedSteps = Integer.parseInt(state.metadata().getOrDefault("step", ""));
            } catch (NumberFormatException e) {
                throw new FormatException(file, "optimizer state without a valid 'step' in its metadata");
            }
            List<Tensor> tensors = new ArrayList<>();
            for (String kind : List.of("exp_avg.", "exp_avg_sq.")) {
                for (HfTensors.Spec spec : parameters.specs()) {
                    Tensor t = state.require(kind + spec.name());
                    if (t.dtype() != DType.F32 || !t.hasShape(spec.shape())) {
                        throw new FormatException(file, "tensor '" + t.name() + "' is " + t.dtype() + " "
                                + Tensor.shapeString(t.shape()) + ", expected F32 " + Tensor.shapeString(spec.shape()));
                    }
                    tensors.add(t);
                }
            }
            int perMoment = parameters.specs().size();
            for (int i = 0; i < tensors.size(); i++) {
                Tensor t = tensors.get(i);
                float[] moment = i < perMoment ? m : v;
                MemorySegment.copy(t.data(), ValueLayout.JAVA_FLOAT_UNALIGNED, 0, moment, parameters.offset(i % perMoment),
                        (int) t.elementCount());
            }
            steps = loadedSteps;
        }
    }

    /** Forgets the moments and the step count. */
    public void reset() {
        Arrays.fill(m, 0f);
        Arrays.fill(v, 0f);
        steps = 0;
    }
}
