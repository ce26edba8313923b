package dev.jgpt.train;

import dev.jgpt.lora.Adapters;
import dev.jgpt.lora.LoraAdapter;
import dev.jgpt.lora.LoraPair;
import dev.jgpt.lora.LoraTargets;
import dev.jgpt.model.Gradients;
import dev.jgpt.model.Gradients.LinearSlots;
import dev.jgpt.model.LayerWeights;
import dev.jgpt.model.Linear;
import dev.jgpt.model.ModelWeights;
import dev.jgpt.model.load.HfTensors;
import dev.jgpt.model.load.TensorInit;
import dev.jgpt.tensor.LowRank;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The factors of a LoRA adapter being trained on a frozen model, float32 in one segment: for each
 * adapted map (in the order {@link LoraTargets#select} gives them) {@code <weight>.lora_a} A
 * [rank × in], then {@code <weight>.lora_b} B [out × rank], as llama.cpp's adapter files store
 * them. The adapted map computes {@code y = x·W + b + s·(x·Aᵀ)·Bᵀ} with llama.cpp's scale
 * {@code s = alpha / rank}.
 */
public final class LoraParameters implements ParameterTensors, AutoCloseable {
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    /** One adapted map: its weight's GGUF name, its widths, and the index of its A in {@link #specs}. */
    private record Target(String name, int in, int out, int index) {}

    private final String architecture;
    private final int rank;
    private final float alpha;
    private final List<Target> targets = new ArrayList<>();
    private final Map<String, Target> byName = new HashMap<>();
    private final List<HfTensors.Spec> specs = new ArrayList<>();
    private final int[] offsets;
    private final int count;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment data;

    private LoraParameters(String architecture, Map<String, Linear> maps, int rank, float alpha) {
        this.architecture = architecture;
        this.rank = rank;
        this.alpha = alpha;
        long total = 0;
        List<Integer> starts = new ArrayList<>();
        for (Map.Entry<String, Linear> map : maps.entrySet()) {
            Linear linear = map.getValue();
            Target target = new Target(map.getKey(), linear.in(), linear.out(), specs.size());
            targets.add(target);
            byName.put(target.name(), target);
            // A's initialisation is uniform (see create); B starts at zero
            specs.add(new HfTensors.Spec(target.name() + LoraAdapter.SUFFIX_A, new long[] {rank, linear.in()}, null));
            specs.add(new HfTensors.Spec(target.name() + LoraAdapter.SUFFIX_B, new long[] {linear.out(), rank}, TensorInit.ZEROS));
            starts.add((int) Math.min(total, Integer.MAX_VALUE));
            total += (long) rank * linear.in();
            starts.add((int) Math.min(total, Integer.MAX_VALUE));
            total += (long) linear.out() * rank;
        }
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("LoRA factors of " + total + " values: too many to train here");
        }
        this.offsets = starts.stream().mapToInt(Integer::intValue).toArray();
        this.count = (int) total;
        this.data = arena.allocate(Math.max(1, total) * Float.BYTES, 64);
    }

    /**
     * Fresh factors for the maps of {@code base} that {@code targets} selects, as PEFT starts them:
     * A Kaiming-uniform ({@code kaiming_uniform_} with a = √5, that is U(−1/√in, 1/√in)), B zero,
     * so that the adapted model starts as the base model.
     */
    public static LoraParameters create(ModelWeights base, LoraTargets targets, int rank, float alpha, long seed) {
        if (rank <= 0) {
            throw new IllegalArgumentException("a LoRA rank must be positive, got " + rank);
        }
        Map<String, Linear> maps = targets.select(base);
        LoraParameters p = new LoraParameters(base.config().architecture().name(), maps, rank, alpha);
        SplittableRandom random = new SplittableRandom(seed);
        for (Target t : p.targets) {
            double bound = 1 / Math.sqrt(t.in());
            MemorySegment a = p.slice(t.index());
            for (long i = 0, n = (long) rank * t.in(); i < n; i++) {
                a.setAtIndex(FLOAT, i, (float) ((2 * random.nextDouble() - 1) * bound));
            }
        }
        return p;
    }

    public int rank() {
        return rank;
    }

    public float alpha() {
        return alpha;
    }

    /** The factor of each term, as llama.cpp computes it when it loads the adapter at scale 1. */
    public float scale() {
        return LoraAdapter.scale(alpha, 1f, rank);
    }

    /** Number of adapted maps. */
    public int targets() {
        return targets.size();
    }

    @Override
    public MemorySegment data() {
        return data;
    }

    @Override
    public int count() {
        return count;
    }

    @Override
    public List<HfTensors.Spec> specs() {
        return List.copyOf(specs);
    }

    @Override
    public int offset(int index) {
        return offsets[index];
    }

    /** {@code base} with each adapted map's term at the factors' values now. */
    public ModelWeights attach(ModelWeights base) {
        Map<String, LowRank> terms = new HashMap<>();
        for (Target t : targets) {
            terms.put(t.name(), LowRank.of(t.in(), t.out(), rank, values(t.index()), values(t.index() + 1), scale()));
        }
        return base.mapLinears(linear -> {
            LowRank term = terms.get(Adapters.weightName(linear));
            return term == null ? linear : linear.adapted(term);
        });
    }

    /** The adapter as it stands, ready to write ({@link LoraAdapter#write}). */
    public LoraAdapter adapter() {
        Map<String, LoraPair> pairs = new LinkedHashMap<>();
        for (Target t : targets) {
            pairs.put(t.name(), new LoraPair(t.in(), t.out(), rank, values(t.index()), values(t.index() + 1)));
        }
        return new LoraAdapter(architecture, alpha, pairs);
    }

    /**
     * Where the backward of {@code base} with these terms attached adds the gradients of the
     * terms' own factors ({@link LowRank#backward}: down at A's offset, up [rank × out] at B's) in
     * {@code values}; every weight of the base is frozen.
     */
    Gradients termGradients(ModelWeights base, float[] values) {
        Gradients.NormSlots frozenNorm = new Gradients.NormSlots(Gradients.FROZEN, Gradients.FROZEN);
        List<Gradients.LayerSlots> layers = new ArrayList<>();
        for (LayerWeights l : base.layers()) {
            layers.add(new Gradients.LayerSlots(frozenNorm, slots(l.qkv()), slots(l.query()), slots(l.key()),
                    slots(l.value()), slots(l.attentionOutput()), frozenNorm, slots(l.mlpGate()), slots(l.mlpUp()),
                    slots(l.mlpDown())));
        }
        return new Gradients(values, Gradients.FROZEN, Gradients.FROZEN, layers, frozenNorm, Gradients.FROZEN);
    }

    private LinearSlots slots(Linear linear) {
        Target t = linear == null ? null : byName.get(Adapters.weightName(linear));
        return t == null ? LinearSlots.NONE : LinearSlots.adapterOnly(offsets[t.index()], offsets[t.index() + 1]);
    }

    /**
     * Adds the terms' gradients (laid out by {@link #termGradients}) to {@code into} as the
     * factors' (laid out like these parameters): {@code dA = d(down)}; with up = s·Bᵀ,
     * {@code dB[o, r] = s · d(up)[r, o]}.
     */
    void addFactorGradients(float[] term, float[] into) {
        float s = scale();
        for (Target t : targets) {
            int a = offsets[t.index()];
            for (int i = 0, n = rank * t.in(); i < n; i++) {
                into[a + i] += term[a + i];
            }
            int b = offsets[t.index() + 1];
            for (int o = 0; o < t.out(); o++) {
                for (int r = 0; r < rank; r++) {
                    into[b + o * rank + r] += s * term[b + r * t.out() + o];
                }
            }
        }
    }

    @Override
    public void close() {
        arena.close();
    }

    private float[] values(int index) {
        float[] v = new float[(int) (slice(index).byteSize() / Float.BYTES)];
        MemorySegment.copy(data, FLOAT, (long) offsets[index] * Float.BYTES, v, 0, v.length);
        return v;
    }

    private MemorySegment slice(int index) {
        long end = index + 1 < offsets.length ? offsets[index + 1] : count;
        return data.asSlice((long) offsets[index] * Float.BYTES, (end - offsets[index]) * Float.BYTES);
    }
}
