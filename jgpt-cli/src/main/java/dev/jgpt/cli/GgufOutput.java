package dev.jgpt.cli;

import dev.jgpt.convert.GgufExport;
import dev.jgpt.convert.QuantizationMix;
import dev.jgpt.format.FileType;
import dev.jgpt.tensor.Tensor;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code export-gguf} and {@code quantize} share: write a model as a GGUF file of one file type,
 * one line per tensor on stderr as it is written, then a summary (sizes before and after, the
 * tensors that fell back to another type) on stdout, or as JSON.
 */
final class GgufOutput {
    private GgufOutput() {}

    static void write(Path in, Path out, QuantizationMix mix, boolean json, PrintWriter stdout, PrintWriter err) {
        long start = System.nanoTime();
        try (GgufExport export = GgufExport.open(in)) {
            List<GgufExport.Planned> plan = export.plan(mix);
            err.printf("jgpt: writing %s as %s%s (%s) to %s%n", in, mix.fileType(), mix.isPure() ? " (pure)" : "",
                    export.architecture().orElse("unknown architecture"), out);
            err.flush();
            GgufExport.Summary summary = export.write(out, mix, (index, count, entry) -> {
                GgufExport.Planned p = plan.get(index);
                err.printf("jgpt: [%" + digits(count) + "d/%d] %-28s %-14s %s -> %s%s%n", index + 1, count, p.name(),
                        Tensor.shapeString(p.source().shape()), p.source().tensor().dtype(), p.type(),
                        p.fallback() ? " (rows of " + p.source().columns() + " are not whole " + p.wanted() + " blocks)" : "");
                err.flush();
            });
            report(in, out, mix.fileType(), plan, summary, (System.nanoTime() - start) / 1e9, json, stdout);
        }
    }

    private static int digits(int n) {
        return Integer.toString(n).length();
    }

    private static void report(Path in, Path out, FileType type, List<GgufExport.Planned> plan, GgufExport.Summary summary,
                               double seconds, boolean json, PrintWriter stdout) {
        Map<String, Integer> byType = new TreeMap<>();
        plan.forEach(p -> byType.merge(p.type().name(), 1, Integer::sum));
        long fileBytes = size(out);
        if (json) {
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("input", in.toString());
            result.put("output", out.toString());
            result.put("type", type.name());
            result.put("file_type", type.id());
            result.put("tensors", summary.tensors());
            result.put("tensors_by_type", byType);
            result.put("tensor_bytes_before", summary.bytesBefore());
            result.put("tensor_bytes_after", summary.bytesAfter());
            result.put("file_bytes", fileBytes);
            List<Map<String, Object>> fallbacks = new ArrayList<>();
            for (GgufExport.Planned p : summary.fallbacks()) {
                Map<String, Object> fallback = new LinkedHashMap<>();
                fallback.put("name", p.name());
                fallback.put("type", p.type().name());
                fallback.put("wanted", p.wanted().name());
                fallback.put("row_length", p.source().columns());
                fallbacks.add(fallback);
            }
            result.put("fallbacks", fallbacks);
            result.put("seconds", seconds);
            Json.print(stdout, result);
            return;
        }
        List<String> counts = new ArrayList<>();
        byType.forEach((name, n) -> counts.add(n + " " + name));
        stdout.printf("wrote     %s (%s) in %.1f s%n", out, Units.bytes(fileBytes), seconds);
        stdout.printf("tensors   %d: %s%n", summary.tensors(), String.join(", ", counts));
        stdout.printf(Locale.ROOT, "size      %s -> %s of tensor data (%.1f%%)%n", Units.bytes(summary.bytesBefore()),
                Units.bytes(summary.bytesAfter()), 100.0 * summary.bytesAfter() / Math.max(1, summary.bytesBefore()));
        if (!summary.fallbacks().isEmpty()) {
            stdout.printf("fallbacks %d tensors have rows that are not whole blocks of their type:%n", summary.fallbacks().size());
            summary.fallbacks().forEach(p -> stdout.printf("          %s (rows of %d) as %s, not %s%n", p.name(),
                    p.source().columns(), p.type(), p.wanted()));
        }
        stdout.flush();
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
