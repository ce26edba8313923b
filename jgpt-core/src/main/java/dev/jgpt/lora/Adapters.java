package dev.jgpt.lora;

import dev.jgpt.Quoted;
import dev.jgpt.format.FormatException;
import dev.jgpt.format.GgufNames;
import dev.jgpt.model.Linear;
import dev.jgpt.model.load.ModelFiles;
import dev.jgpt.model.ModelWeights;
import dev.jgpt.tensor.LowRank;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * LoRA adapters joined to a base model: each adapter is read and checked against the base
 * (architecture, the weights it names, their shapes), and every linear map it adapts gets the
 * adapter's term at its scale; the terms of several adapters on one map add. Only the linear maps
 * of the blocks take adapters (as llama.cpp's, apart from its embedding and output matrices).
 */
public final class Adapters {
    private Adapters() {}

    /** {@code base} with the adapters joined to its linear maps: the same files, a new forward pass. */
    public static ModelFiles attach(ModelFiles base, List<LoraFile> adapters) {
        if (adapters.isEmpty()) {
            return base;
        }
        Map<String, LowRank> terms = terms(base, adapters);
        return base.withWeights(w -> w.mapLinears(linear -> {
            LowRank term = terms.get(weightName(linear));
            return term == null ? linear : linear.adapted(term);
        }));
    }

    /**
     * The term each adapted weight gets, by its GGUF name: the adapters' terms at their scales,
     * summed per weight. Adapters at scale 0 are checked but add nothing.
     */
    public static Map<String, LowRank> terms(ModelFiles base, List<LoraFile> adapters) {
        Map<String, Linear> linears = linears(base.transformer().weights());
        Set<String> tensors = base.tensors().names().stream().map(Adapters::ggufName).collect(Collectors.toSet());
        String architecture = base.config().architecture().name();
        Map<String, LowRank> terms = new HashMap<>();
        for (LoraFile file : adapters) {
            LoraAdapter adapter = LoraAdapter.read(file.path());
            if (!adapter.architecture().equals(architecture)) {
                throw new FormatException(file.path(), "the adapter is for a " + Quoted.of(adapter.architecture())
                        + " model, but the base model " + base.path() + " is " + Quoted.of(architecture));
            }
            adapter.pairs().forEach((target, pair) -> {
                Linear linear = linears.get(target);
                String tensor = Quoted.of(target + LoraAdapter.SUFFIX_A);
                if (linear == null) {
                    throw new FormatException(file.path(), "tensor " + tensor + " adapts " + Quoted.of(target) + ", which "
                            + (tensors.contains(target) ? "is not a linear map of the blocks (jgpt adapts only those)"
                                    : "the base model " + base.path() + " does not have"));
                }
                if (pair.in() != linear.in() || pair.out() != linear.out()) {
                    throw new FormatException(file.path(), "tensors " + tensor + " " + shape(pair.rank(), pair.in()) + " and "
                            + Quoted.of(target + LoraAdapter.SUFFIX_B) + " " + shape(pair.out(), pair.rank())
                            + " do not fit " + Quoted.of(target) + " of the base model, a map " + linear.in() + " → "
                            + linear.out() + ": expected " + shape(pair.rank(), linear.in()) + " and "
                            + shape(linear.out(), pair.rank()));
                }
                if (file.scale() != 0) {
                    terms.merge(target, pair.term(adapter.scale(file.scale(), pair.rank())), LowRank::plus);
                }
            });
        }
        return terms;
    }

    private static String shape(int rows, int columns) {
        return "[" + rows + ", " + columns + "]";
    }

    /** The linear maps of the blocks by GGUF name (mapping the weights serves here to visit them). */
    static Map<String, Linear> linears(ModelWeights weights) {
        Map<String, Linear> linears = new LinkedHashMap<>();
        weights.mapLinears(linear -> {
            linears.put(weightName(linear), linear);
            return linear;
        });
        return linears;
    }

    /** The GGUF name of a linear map's weight, which names it in an adapter. */
    public static String weightName(Linear linear) {
        return ggufName(linear.weight().name());
    }

    /** The GGUF name of a weight: a Hugging Face GPT-2 name translated, a GGUF name as it is. */
    private static String ggufName(String name) {
        return GgufNames.gpt2FromHuggingFace(name).map(GgufNames.Gpt2Tensor::gguf).orElse(name);
    }
}
