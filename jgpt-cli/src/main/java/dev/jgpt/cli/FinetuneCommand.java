package dev.jgpt.cli;

import dev.jgpt.JgptException;
import dev.jgpt.generate.LanguageModel;
import dev.jgpt.lora.LoraTargets;
import dev.jgpt.model.ModelConfig;
import dev.jgpt.tensor.DType;
import dev.jgpt.train.AdamW;
import dev.jgpt.train.AdamWSettings;
import dev.jgpt.train.Batching;
import dev.jgpt.train.LoraParameters;
import dev.jgpt.train.LoraTrainingModel;
import dev.jgpt.train.TokenDataset;
import dev.jgpt.train.Trainer;
import dev.jgpt.train.TrainingSettings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "finetune", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Fine-tune a model with LoRA: train an adapter on a text file and write it as a GGUF LoRA adapter.",
            "The model's own weights stay frozen, in their stored (possibly quantized) types; only the adapter's",
            "factors learn: A [rank × in] (Kaiming-uniform at first) and B [out × rank] (zero at first, so training",
            "starts from the model as it is) for each --targets map of every block, applied at alpha / rank.",
            "The adapter (llama.cpp's layout) runs with --lora on any command, merges with merge-lora, and loads in llama.cpp."})
final class FinetuneCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions model;

    @Option(names = "--data", required = true, paramLabel = "FILE", description = "UTF-8 text, or uint16 token ids of the model's tokenizer in a .bin file.")
    Path data;

    @Option(names = "--out", required = true, paramLabel = "ADAPTER.gguf", description = "The adapter to write (at the end and at each checkpoint; replaced if it exists).")
    Path out;

    @Option(names = "--lora-rank", defaultValue = "8", paramLabel = "R", description = "Rank of the adapter (default: ${DEFAULT-VALUE}).")
    int rank;

    @Option(names = "--lora-alpha", defaultValue = "16", paramLabel = "A", description = "Alpha: the adapter is applied at alpha / rank (default: ${DEFAULT-VALUE}).")
    float alpha;

    @Option(names = "--targets", defaultValue = "q,k,v,o", paramLabel = "LIST",
            description = "The maps of each block to adapt, comma-separated: q, k, v, o (attention; a fused qkv for q, k or v), "
                    + "gate, up, down (MLP) (default: ${DEFAULT-VALUE}).")
    String targets;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "100", description = "Optimizer steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--lr", paramLabel = "RATE", defaultValue = "1e-3", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
    float lr;

    @Option(names = "--min-lr", paramLabel = "RATE", defaultValue = "1e-4", description = "Learning rate at the end of the cosine decay (default: ${DEFAULT-VALUE}).")
    float minLr;

    @Option(names = "--warmup", paramLabel = "STEPS", defaultValue = "10", description = "Steps of linear warmup (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "4", description = "Sequences per micro-batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--grad-accum", paramLabel = "N", defaultValue = "1", description = "Micro-batches per optimizer step (default: ${DEFAULT-VALUE}).")
    int gradAccum;

    @Option(names = "--seq-len", paramLabel = "N", description = "Tokens per training sequence (default: 128, or the model's context if shorter).")
    Integer seqLen;

    @Option(names = "--weight-decay", paramLabel = "X", defaultValue = "0", description = "AdamW weight decay on the factors (default: ${DEFAULT-VALUE}).")
    float weightDecay;

    @Option(names = "--grad-clip", paramLabel = "NORM", defaultValue = "1.0", description = "Clip gradients to this global norm; 0 = off (default: ${DEFAULT-VALUE}).")
    float gradClip;

    @Option(names = "--val-fraction", paramLabel = "FRACTION", defaultValue = "0.1", description = "Tail of the data held out for validation (default: ${DEFAULT-VALUE}).")
    double valFraction;

    @Option(names = "--eval-every", paramLabel = "STEPS", defaultValue = "0", description = "Steps between validation losses; 0 = only at the end (default: ${DEFAULT-VALUE}).")
    int evalEvery;

    @Option(names = "--eval-batches", paramLabel = "N", defaultValue = "5", description = "Batches per validation loss (default: ${DEFAULT-VALUE}).")
    int evalBatches;

    @Option(names = "--sample-every", paramLabel = "STEPS", defaultValue = "0", description = "Steps between text samples; 0 = none (default: ${DEFAULT-VALUE}).")
    int sampleEvery;

    @Option(names = "--sample-tokens", paramLabel = "N", defaultValue = "100", description = "Tokens per text sample (default: ${DEFAULT-VALUE}).")
    int sampleTokens;

    @Option(names = "--checkpoint-every", paramLabel = "STEPS", defaultValue = "0", description = "Steps between writes of the adapter; 0 = only at the end (default: ${DEFAULT-VALUE}).")
    int checkpointEvery;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1337", description = "Seed of A's initial values and of the batch order (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--dtype", paramLabel = "TYPE", defaultValue = "F32", description = "Type of the adapter's factors in the file: F32, F16 or BF16 (default: ${DEFAULT-VALUE}).")
    DType dtype;

    @Option(names = "--json", description = "One JSON object per line: per step {step, loss, lr, tokens_per_s}, per evaluation {step, val_loss}.")
    boolean json;

    @Override
    public Integer call() {
        if (!model.adapters.isEmpty()) {
            throw new JgptException("--lora cannot be given to finetune: it trains a new adapter on the model alone");
        }
        if (dtype.isQuantized()) {
            throw new JgptException("--dtype must be F32, F16 or BF16 for an adapter's factors, got " + dtype);
        }
        if (rank < 1) {
            throw new JgptException("--lora-rank must be positive, got " + rank);
        }
        if (!(alpha > 0 && Float.isFinite(alpha))) {
            throw new JgptException("--lora-alpha must be positive, got " + alpha);
        }
        LoraTargets maps = LoraTargets.parse(targets);
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (LanguageModel lm = model.open();
             LoraParameters lora = LoraParameters.create(lm.transformer().weights(), maps, rank, alpha, seed)) {
            ModelConfig config = lm.config();
            int seq = seqLen == null ? Math.min(128, config.contextLength()) : seqLen;
            if (seq < 1 || seq > config.contextLength()) {
                throw new JgptException("--seq-len must be between 1 and the model's context window of " + config.contextLength()
                        + " tokens, got " + seq);
            }
            TrainingSettings settings = new TrainingSettings(batch, gradAccum, seq, steps, lr, minLr, warmup, true,
                    new AdamWSettings(0.9f, 0.999f, 1e-8f, weightDecay), gradClip, valFraction, evalEvery, evalBatches,
                    sampleEvery, sampleTokens, checkpointEvery, seed, Batching.RANDOM);
            TokenDataset corpus = data.getFileName().toString().endsWith(".bin") ? TokenDataset.fromUint16(data)
                    : TokenDataset.fromText(data, lm.tokenizer());
            LoraTrainingModel trainable = new LoraTrainingModel(lm.transformer().weights(), lora);
            Trainer trainer = new Trainer(trainable, new AdamW(lora, settings.adamW()), lm.tokenizer(), settings,
                    corpus.split(settings.validationFraction()), out, state -> lora.adapter().write(out, dtype),
                    TrainingOutput.listener(json, "jgpt: fine-tuning", stdout, err));
            if (!json) {
                err.printf("jgpt: fine-tuning %s: a LoRA adapter of rank %d (alpha %s, scale %s) on %d maps, %s trainable parameters,"
                        + " on %s tokens of %s%n", model.model == null ? "the shipped model" : model.model, rank, alpha,
                        lora.scale(), lora.targets(), Units.count(lora.count()), Units.count(corpus.size()), data);
                err.flush();
            }
            trainer.run(0);
            if (!json) {
                err.printf("jgpt: done; the adapter is in %s (jgpt generate --model %s --lora %s \"...\")%n", out,
                        model.model == null ? "..." : model.model, out);
                err.flush();
            }
        }
        return 0;
    }
}
