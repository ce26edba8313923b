package dev.jgpt.cli;

import dev.jgpt.JgptException;
import dev.jgpt.format.TensorSource;
import dev.jgpt.generate.LanguageModel;
import dev.jgpt.model.ModelConfig;
import dev.jgpt.tensor.Tensor;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "info", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Describe a model: architecture, parameter count, dimensions, weight types, memory use.",
            "Given a LoRA adapter file, describe the adapter: its base architecture, rank, alpha and the weights it adapts."})
final class InfoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions model = new ModelOptions();

    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE", description = "A model or LoRA adapter file (as --model).")
    Path file;

    @Option(names = "--json", description = "Print the description as JSON.")
    boolean json;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (file != null) {
            if (model.model != null) {
                throw new JgptException("info describes one file: give it as FILE or as --model, not both");
            }
            model.model = file.toString();
        }
        if (model.model != null && AdapterInfo.isAdapter(model.path())) {
            AdapterInfo.print(model.path(), json, out);
            return 0;
        }
        try (LanguageModel lm = model.open()) {
            ModelConfig c = lm.config();
            TensorSource tensors = lm.files().tensors();
            Map<String, Long> bytesByDtype = new TreeMap<>();
            for (String name : tensors.names()) {
                Tensor t = tensors.require(name);
                bytesByDtype.merge(t.dtype().name(), t.data().byteSize(), Long::sum);
            }
            long weights = lm.files().weightBytes();
            long kvCache = c.kvCacheBytes(c.contextLength());
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("path", lm.files().path().toAbsolutePath().toString());
            info.put("architecture", c.architecture().name());
            info.put("n_params", c.parameterCount());
            info.put("n_layer", c.layers());
            info.put("n_head", c.heads());
            info.put("n_head_kv", c.kvHeads());
            info.put("n_embd", c.embd());
            info.put("head_size", c.headSize());
            info.put("mlp_hidden", c.mlpHidden());
            info.put("context_length", c.contextLength());
            info.put("vocab_size", c.vocabSize());
            info.put("tokenizer_vocab_size", lm.tokenizer().vocabSize());
            info.put("unused_vocab_ids", lm.unusedIds());
            info.put("norm_eps", c.normEps());
            info.put("weight_bytes_by_dtype", bytesByDtype);
            info.put("weights_bytes", weights);
            info.put("kv_cache_bytes", kvCache);
            List<String> adapters = model.adapters.stream().map(a -> a.path() + " at " + a.scale()).toList();
            if (!adapters.isEmpty()) {
                info.put("lora", adapters);
            }
            if (json) {
                Json.print(out, info);
                return 0;
            }
            out.printf("model         %s%n", info.get("path"));
            out.printf("architecture  %s (%s, %s unembedding)%n", c.architecture(), c.architecture().describe(),
                    c.tiedOutput() ? "tied" : "separate");
            out.printf("parameters    %s%n", Units.count(c.parameterCount()));
            out.printf("layers        %d%n", c.layers());
            out.printf("heads         %d (head size %d)%s%n", c.heads(), c.headSize(),
                    c.kvHeads() == c.heads() ? "" : ", " + c.kvHeads() + " key/value heads (grouped-query attention)");
            out.printf("embedding     %d (MLP hidden %d)%n", c.embd(), c.mlpHidden());
            out.printf("context       %d tokens%n", c.contextLength());
            out.printf("vocabulary    %d%s%n", c.vocabSize(), lm.unusedIds() == 0 ? ""
                    : " (" + lm.tokenizer().vocabSize() + " in the tokenizer; " + lm.unusedIds() + " ids never sampled)");
            bytesByDtype.forEach((dtype, bytes) -> out.printf("weights       %s in %s%n", Units.bytes(bytes), dtype));
            out.printf("memory        %s of weights (memory-mapped) + %s KV cache at full context (F32)%n",
                    Units.bytes(weights), Units.bytes(kvCache));
            adapters.forEach(adapter -> out.printf("LoRA adapter  %s%n", adapter));
            out.flush();
        }
        return 0;
    }
}
