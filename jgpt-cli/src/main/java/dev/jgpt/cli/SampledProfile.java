package dev.jgpt.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the time of a piece of work goes, by operation: JFR samples the running threads every
 * millisecond (at any instruction, not only at safepoints), and each sample counts for the
 * innermost jgpt method on its stack, named by the operation it performs.
 */
final class SampledProfile implements AutoCloseable {
    /** One operation's share: its label, the method the samples fell in, how many. */
    record Share(String operation, String method, long samples) {}

    /** Labels of the methods whose names alone do not say what they do. */
    private static final Map<String, String> OPERATIONS = Map.ofEntries(
            Map.entry("QuantKernels.matvec", "matvec (quantized; the block kernel inlined)"),
            Map.entry("QuantKernels.dotQ8_0", "matvec Q8_0"),
            Map.entry("QuantKernels.dotQ4_0", "matvec Q4_0"),
            Map.entry("QuantKernels.dotSmall", "matvec Q4_1/Q5_0/Q5_1"),
            Map.entry("QuantKernels.dotQ2K", "matvec Q2_K"),
            Map.entry("QuantKernels.dotQ3K", "matvec Q3_K"),
            Map.entry("QuantKernels.dotQ45K", "matvec Q4_K/Q5_K"),
            Map.entry("QuantKernels.rowScalesK4", "matvec Q4_K/Q5_K scales"),
            Map.entry("QuantKernels.dotQ4K", "matvec Q4_K"),
            Map.entry("QuantKernels.dotQ6K", "matvec Q6_K"),
            Map.entry("QuantKernels.dotQ6K16", "matvec Q6_K"),
            Map.entry("Iq4Kernels.dot", "matvec IQ4_NL/IQ4_XS"),
            Map.entry("Iq4Kernels.groupScales", "matvec IQ4_NL/IQ4_XS scales"),
            Map.entry("Kernels.streamDotF32", "matvec F32"),
            Map.entry("Kernels.streamDotF16", "matvec F16"),
            Map.entry("Kernels.streamDotBF16", "matvec BF16"),
            Map.entry("Kernels.dotF32", "matvec F32"),
            Map.entry("Kernels.dotF16", "matvec F16"),
            Map.entry("Kernels.dotBF16", "matvec BF16"),
            Map.entry("Kernels.axpyRowsF32", "matvec F32 ([in, out] layout)"),
            Map.entry("Kernels.axpyRowsF16", "matvec F16 ([in, out] layout)"),
            Map.entry("Kernels.axpyRowsBF16", "matvec BF16 ([in, out] layout)"),
            Map.entry("Kernels.sumPartials", "matvec ([in, out] layout: summing partials)"),
            Map.entry("Kernels.dotRows", "few-row matmul"),
            Map.entry("Kernels.smallDot", "few-row matmul"),
            Map.entry("Kernels.gemmInOut", "GEMM (prefill)"),
            Map.entry("Kernels.gemmOutIn", "GEMM (prefill)"),
            Map.entry("Kernels.initRows", "GEMM (prefill)"),
            Map.entry("Kernels.packTransposed", "GEMM packing (prefill)"),
            Map.entry("Kernels.microKernel", "GEMM (prefill)"),
            Map.entry("Kernels.convert", "GEMM packing (prefill)"),
            Map.entry("Gemm", "GEMM (prefill)"),
            Map.entry("QuantKernels.decode", "GEMM packing of quantized blocks (prefill)"),
            Map.entry("Kernels.rmsNorm", "norms"),
            Map.entry("Kernels.rmsNormRow", "norms"),
            Map.entry("Kernels.layerNorm", "norms"),
            Map.entry("Kernels.layerNormRow", "norms"),
            Map.entry("Kernels.rope", "RoPE"),
            Map.entry("RopeTable.rotate", "RoPE"),
            Map.entry("Mlp.swigluForward", "SwiGLU"),
            Map.entry("Mlp.geluForward", "GELU"),
            Map.entry("Kernels.softmax", "attention (softmax)"),
            Map.entry("Kernels.dot", "attention (q·k)"),
            Map.entry("Kernels.axpy", "attention (weights·v)"),
            Map.entry("Attention.forwardHeads", "attention"),
            Map.entry("Attention.dotHead", "attention"),
            Map.entry("Kernels.add", "residual adds"),
            Map.entry("VectorMath", "lane sums and e^x"),
            Map.entry("QuantKernels.prepare", "x prepared for the block kernels"),
            Map.entry("Parallel", "thread hand-offs (waiting for work or for the others)"));

    /** Small helpers inlined into the kernels: a sample that falls in one counts for its caller. */
    private static final Set<String> HELPERS = Set.of("Quantization.f16", "Quantization.byteAt");

    /** A stack frame: the fully qualified class and the method. */
    record Frame(String type, String method) {}

    private final Recording recording = new Recording();

    /** Starts sampling. */
    SampledProfile() {
        recording.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(1)).withStackTrace();
        recording.start();
    }

    /** Stops sampling; the operations by share of the samples, largest first. */
    List<Share> stop() {
        recording.stop();
        Path file = null;
        try {
            file = Files.createTempFile("jgpt-profile", ".jfr");
            recording.dump(file);
            Map<String, Long> counts = new LinkedHashMap<>();
            for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
                if (event.getEventType().getName().equals("jdk.ExecutionSample") && event.getStackTrace() != null) {
                    List<Frame> frames = event.getStackTrace().getFrames().stream()
                            .map(f -> new Frame(f.getMethod().getType().getName(), f.getMethod().getName()))
                            .toList();
                    counts.merge(innermostJgptMethod(frames), 1L, Long::sum);
                }
            }
            return counts.entrySet().stream()
                    .map(e -> new Share(operation(e.getKey()), e.getKey(), e.getValue()))
                    .sorted((a, b) -> Long.compare(b.samples(), a.samples()))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deleteQuietly(file);
        }
    }

    /** {@code Class.method} of the innermost jgpt frame that is not a {@link #HELPERS helper}, innermost first. */
    static String innermostJgptMethod(List<Frame> frames) {
        for (Frame frame : frames) {
            String type = frame.type();
            if (type.startsWith("dev.jgpt.")) {
                String simple = type.substring(type.lastIndexOf('.') + 1).replaceFirst("\\$.*", "");
                String method = simple + "." + frame.method();
                if (!HELPERS.contains(method)) {
                    return method;
                }
            }
        }
        return frames.isEmpty() ? "(no frames)" : "(outside jgpt) " + frames.getFirst().type();
    }

    /** The label of {@code Class.method}: its own, that of its family (the per-type block decoders), or its class's. */
    private static String operation(String method) {
        String label = OPERATIONS.get(method);
        if (label == null && method.startsWith("QuantKernels.decode")) {
            label = OPERATIONS.get("QuantKernels.decode");
        }
        int dot = method.indexOf('.');
        if (label == null && dot > 0) {
            label = OPERATIONS.get(method.substring(0, dot));
        }
        return label != null ? label : "other";
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a temporary recording left in the temp folder harms nothing
            }
        }
    }

    @Override
    public void close() {
        recording.close();
    }
}
