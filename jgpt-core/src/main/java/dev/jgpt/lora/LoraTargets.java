package dev.jgpt.lora;

import dev.jgpt.JgptException;
import dev.jgpt.Quoted;
import dev.jgpt.model.LayerWeights;
import dev.jgpt.model.Linear;
import dev.jgpt.model.ModelWeights;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Which linear maps of the blocks a LoRA adapter adapts, by role: {@code q}, {@code k}, {@code v},
 * {@code o} (attention), {@code gate}, {@code up}, {@code down} (MLP). In a block whose query,
 * key and value are one fused matrix, naming any of q, k, v adapts that matrix ({@code qkv} names
 * it too).
 */
public record LoraTargets(Set<String> roles) {
    private static final Map<String, Function<LayerWeights, Linear>> MAPS = maps();

    public LoraTargets {
        roles = Set.copyOf(roles);
    }

    private static Map<String, Function<LayerWeights, Linear>> maps() {
        Map<String, Function<LayerWeights, Linear>> m = new LinkedHashMap<>();
        m.put("qkv", LayerWeights::qkv);
        m.put("q", LayerWeights::query);
        m.put("k", LayerWeights::key);
        m.put("v", LayerWeights::value);
        m.put("o", LayerWeights::attentionOutput);
        m.put("gate", LayerWeights::mlpGate);
        m.put("up", LayerWeights::mlpUp);
        m.put("down", LayerWeights::mlpDown);
        return m;
    }

    /** A comma-separated list of roles, as {@code --targets} takes it. */
    public static LoraTargets parse(String list) {
        Set<String> roles = new LinkedHashSet<>();
        for (String role : list.split(",", -1)) {
            String r = role.strip();
            if (!MAPS.containsKey(r)) {
                throw new JgptException("--targets: " + Quoted.of(r) + " is not a linear map of a block; the maps are "
                        + String.join(", ", MAPS.keySet()));
            }
            roles.add(r);
        }
        return new LoraTargets(roles);
    }

    /**
     * The maps of {@code weights} these roles name, by GGUF weight name, block by block in the
     * order of {@link #MAPS}; a role the model's blocks do not have is an error.
     */
    public Map<String, Linear> select(ModelWeights weights) {
        Map<String, Linear> selected = new LinkedHashMap<>();
        for (LayerWeights layer : weights.layers()) {
            for (String role : rolesIn(layer)) {
                Linear linear = MAPS.get(role).apply(layer);
                selected.put(Adapters.weightName(linear), linear);
            }
        }
        return selected;
    }

    /** The roles of one block, q/k/v read as qkv when the block fuses them. */
    private List<String> rolesIn(LayerWeights layer) {
        List<String> found = new ArrayList<>();
        for (String role : MAPS.keySet()) {
            boolean fusedPart = layer.qkv() != null && (role.equals("q") || role.equals("k") || role.equals("v"));
            boolean wanted = roles.contains(role) || (role.equals("qkv") && layer.qkv() != null
                    && (roles.contains("q") || roles.contains("k") || roles.contains("v")));
            if (!wanted || fusedPart) {
                continue;
            }
            if (MAPS.get(role).apply(layer) == null) {
                throw new JgptException("--targets: the model's blocks have no " + Quoted.of(role) + " map (they have "
                        + String.join(", ", present(layer)) + ")");
            }
            found.add(role);
        }
        return found;
    }

    private static List<String> present(LayerWeights layer) {
        return MAPS.entrySet().stream().filter(e -> e.getValue().apply(layer) != null).map(Map.Entry::getKey).toList();
    }
}
