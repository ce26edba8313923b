package dev.jgpt.cli;

import dev.jgpt.format.Gguf;
import dev.jgpt.format.GgufNames;
import dev.jgpt.lora.LoraAdapter;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** What {@code info} says of a LoRA adapter file: the model it is for, its rank and alpha, the weights it adapts. */
final class AdapterInfo {
    private AdapterInfo() {}

    /** Whether {@code path} is a GGUF file that says it is an adapter. */
    static boolean isAdapter(Path path) {
        if (!Files.isRegularFile(path) || path.getFileName().toString().endsWith(".safetensors")) {
            return false;
        }
        try (Gguf gguf = Gguf.open(path)) {
            return GgufNames.isAdapter(gguf.metadata());
        }
    }

    static void print(Path path, boolean json, PrintWriter out) {
        LoraAdapter adapter = LoraAdapter.read(path);
        List<Integer> ranks = adapter.ranks();
        // the weights by kind without the layer: blk.3.attn_q.weight → attn_q.weight, counted
        Map<String, Long> kinds = new TreeMap<>(adapter.pairs().keySet().stream()
                .collect(Collectors.groupingBy(name -> name.replaceFirst("^blk\\.\\d+\\.", ""), Collectors.counting())));
        if (json) {
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("path", path.toAbsolutePath().toString());
            info.put("type", "lora");
            info.put("architecture", adapter.architecture());
            info.put("ranks", ranks);
            info.put("alpha", adapter.alpha());
            info.put("targets", adapter.pairs().keySet());
            info.put("targets_by_kind", kinds);
            Json.print(out, info);
            return;
        }
        out.printf("adapter       %s%n", path.toAbsolutePath());
        out.printf("type          LoRA adapter of a %s model%n", adapter.architecture());
        out.printf("rank          %s%n", ranks.stream().map(String::valueOf).collect(Collectors.joining(", ")));
        out.printf("alpha         %s%n", adapter.alpha() == 0 ? "0 (B·A is added at the scale given)"
                : adapter.alpha() + " (at scale 1, B·A is added times alpha / rank = "
                        + ranks.stream().map(r -> Float.toString(adapter.scale(1, r))).collect(Collectors.joining(", ")) + ")");
        out.printf("targets       %d weights: %s%n", adapter.pairs().size(), kinds.entrySet().stream()
                .map(e -> e.getKey() + " (" + e.getValue() + ")").collect(Collectors.joining(", ")));
        out.flush();
    }
}
