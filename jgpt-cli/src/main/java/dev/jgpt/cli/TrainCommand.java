package dev.jgpt.cli;

import dev.jgpt.JgptException;
import dev.jgpt.Quoted;
import dev.jgpt.model.Architecture;
import dev.jgpt.model.ModelConfig;
import dev.jgpt.model.Rope;
import dev.jgpt.tensor.DType;
import dev.jgpt.tokenizer.Tokenizer;
import dev.jgpt.tokenizer.TokenizerJson;
import dev.jgpt.tokenizer.TokenizerLoader;
import dev.jgpt.train.AdamW;
import dev.jgpt.train.AdamWSettings;
import dev.jgpt.train.Batching;
import dev.jgpt.train.Parameters;
import dev.jgpt.train.TokenDataset;
import dev.jgpt.train.Trainer;
import dev.jgpt.train.TrainingCheckpoint;
import dev.jgpt.train.TrainingListener;
import dev.jgpt.train.TrainingModel;
import dev.jgpt.train.TrainingSettings;
import dev.jgpt.train.TrainingState;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a GPT-2, Llama or Qwen2 model by backpropagation on a text file (or fine-tune one with --init).",
            "Writes a Hugging Face model folder to --out, with a checkpoint, losses.csv and loss.svg.",
            "The defaults are nanoGPT's baby GPT on characters: 4 layers, 4 heads, 128 dims, context 64."})
final class TrainCommand implements Callable<Integer> {
    /** Options that only change how a run is watched, so a resumed run may set them anew. */
    private static final List<String> RESUMABLE = List.of("--data", "--out", "--resume", "--steps", "--json", "--threads",
            "--dtype", "--eval-every", "--sample-every", "--checkpoint-every", "--sample-tokens", "--watch", "--watch-prompt");

    @Spec
    CommandSpec spec;

    @Option(names = "--data", required = true, paramLabel = "FILE", description = "UTF-8 text, or uint16 token ids in a .bin file.")
    Path data;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder for the model, checkpoint and loss curve.")
    Path out;

    @Option(names = "--tokenizer", paramLabel = "char|bpe|DIR", defaultValue = "char",
            description = "char: one token per character; bpe: a byte-level BPE trained on the data (--vocab-size); "
                    + "DIR: the tokenizer of a model folder (default: ${DEFAULT-VALUE}).")
    String tokenizer;

    @Option(names = "--vocab-size", paramLabel = "N", description = "Vocabulary of --tokenizer bpe (default: 4096).")
    Integer vocabSize;

    @Option(names = "--init", paramLabel = "DIR", description = "Start from this model's weights and tokenizer (fine-tuning).")
    Path init;

    @Option(names = "--resume", description = "Continue the run whose checkpoint is in --out, exactly where it stopped.")
    boolean resume;

    @Option(names = "--arch", defaultValue = "gpt2", paramLabel = "gpt2|llama|qwen2",
            description = "The new model's architecture: gpt2 (LayerNorm, GELU, learned positions), llama (RMSNorm, rotary "
                    + "positions, SwiGLU, grouped-query attention, untied unembedding) or qwen2 (llama with q/k/v biases and a "
                    + "tied unembedding) (default: ${DEFAULT-VALUE}).")
    String arch;

    @Option(names = "--kv-heads", paramLabel = "N", description = "Key/value heads of llama and qwen2, dividing --heads (default: --heads).")
    Integer kvHeads;

    @Option(names = "--layers", paramLabel = "N", defaultValue = "4", description = "Transformer blocks (default: ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--heads", paramLabel = "N", defaultValue = "4", description = "Attention heads (default: ${DEFAULT-VALUE}).")
    int heads;

    @Option(names = "--embd", paramLabel = "N", defaultValue = "128", description = "Embedding width (default: ${DEFAULT-VALUE}).")
    int embd;

    @Option(names = "--ctx", paramLabel = "N", defaultValue = "64", description = "Context: tokens per training sequence, and the new model's window (default: ${DEFAULT-VALUE}).")
    int ctx;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "12", description = "Sequences per micro-batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--grad-accum", paramLabel = "N", defaultValue = "1", description = "Micro-batches per optimizer step (default: ${DEFAULT-VALUE}).")
    int gradAccum;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "2000", description = "Optimizer steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--lr", paramLabel = "RATE", defaultValue = "1e-3", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
    float lr;

    @Option(names = "--min-lr", paramLabel = "RATE", defaultValue = "1e-4", description = "Learning rate at the end of the cosine decay (default: ${DEFAULT-VALUE}).")
    float minLr;

    @Option(names = "--warmup", paramLabel = "STEPS", defaultValue = "100", description = "Steps of linear warmup (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--lr-schedule", defaultValue = "cosine", paramLabel = "cosine|constant", description = "Learning-rate schedule (default: ${DEFAULT-VALUE}).")
    String schedule;

    @Option(names = "--weight-decay", paramLabel = "X", defaultValue = "0.1", description = "AdamW weight decay on matrices and embeddings (default: ${DEFAULT-VALUE}).")
    float weightDecay;

    @Option(names = "--beta1", paramLabel = "X", defaultValue = "0.9", description = "AdamW β1 (default: ${DEFAULT-VALUE}).")
    float beta1;

    @Option(names = "--beta2", paramLabel = "X", defaultValue = "0.99", description = "AdamW β2 (default: ${DEFAULT-VALUE}).")
    float beta2;

    @Option(names = "--eps", paramLabel = "X", defaultValue = "1e-8", description = "AdamW ε (default: ${DEFAULT-VALUE}).")
    float eps;

    @Option(names = "--grad-clip", paramLabel = "NORM", defaultValue = "1.0", description = "Clip gradients to this global norm; 0 = off (default: ${DEFAULT-VALUE}).")
    float gradClip;

    @Option(names = "--val-fraction", paramLabel = "FRACTION", defaultValue = "0.1", description = "Tail of the data held out for validation (default: ${DEFAULT-VALUE}).")
    double valFraction;

    @Option(names = "--eval-every", paramLabel = "STEPS", defaultValue = "250", description = "Steps between validation losses; 0 = only at the end (default: ${DEFAULT-VALUE}).")
    int evalEvery;

    @Option(names = "--eval-batches", paramLabel = "N", defaultValue = "20", description = "Batches per validation loss (default: ${DEFAULT-VALUE}).")
    int evalBatches;

    @Option(names = "--sample-every", paramLabel = "STEPS", defaultValue = "500", description = "Steps between text samples; 0 = none (default: ${DEFAULT-VALUE}).")
    int sampleEvery;

    @Option(names = "--sample-tokens", paramLabel = "N", defaultValue = "200", description = "Tokens per text sample (default: ${DEFAULT-VALUE}).")
    int sampleTokens;

    @Option(names = "--checkpoint-every", paramLabel = "STEPS", defaultValue = "500", description = "Steps between checkpoints; 0 = only at the end (default: ${DEFAULT-VALUE}).")
    int checkpointEvery;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1337", description = "Seed of the initial weights and the batch order (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--batching", defaultValue = "random", paramLabel = "random|sequential",
            description = "random windows (nanoGPT), or sequential: step s, row b reads window (s·B+b) mod ((len−1) div T) (default: ${DEFAULT-VALUE}).")
    Batching batching;

    @Option(names = "--dtype", paramLabel = "TYPE", defaultValue = "F32", description = "Weight type of the exported model: F32, F16 or BF16 (default: ${DEFAULT-VALUE}).")
    DType dtype;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "Threads for the kernels (default: all cores).")
    Integer threads;

    @Option(names = "--json", description = "One JSON object per line: per step {step, loss, lr, tokens_per_s}, per evaluation {step, val_loss}.")
    boolean json;

    @Option(names = "--watch", arity = "0..1", fallbackValue = "0", paramLabel = "PORT",
            description = "Serve a page on 127.0.0.1 (at PORT, or a free port) that shows the run as it learns: losses, "
                    + "samples, the probe's predictions and attention at each evaluation, each layer's gradient and update. "
                    + "Records it all in OUT/watch.jsonl (jgpt watch OUT shows it again); samples at every evaluation "
                    + "unless --sample-every says otherwise.")
    Integer watch;

    @Option(names = "--watch-prompt", paramLabel = "TEXT",
            description = "The text the watch page explains at each evaluation (default: the first line of the validation text).")
    String watchPrompt;

    @Override
    public Integer call() throws InterruptedException {
        ModelOptions.applyThreads(threads);
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (resume) {
            return resume(stdout, err);
        }
        if (TrainingCheckpoint.find(out).isPresent()) {
            throw new JgptException(out + " already holds a training run; pass --resume to continue it or choose another --out");
        }
        TrainingSettings settings = settings(steps);
        Tokenizer tok;
        Parameters parameters;
        if (init != null) {
            for (String shape : List.of("--arch", "--kv-heads", "--layers", "--heads", "--embd")) {
                if (spec.commandLine().getParseResult().hasMatchedOption(shape)) {
                    throw new JgptException(shape + " cannot be given with --init: the model's shape is the one it has");
                }
            }
            tok = TokenizerLoader.fromDirectory(init);
            parameters = Parameters.load(init);
        } else {
            tok = newTokenizer(err);
            parameters = Parameters.random(newConfig(tok.vocabSize()), seed);
        }
        TokenDataset corpus = corpus(tok);
        TokenizerJson.write(tok, out.resolve(TrainingCheckpoint.TOKENIZER));
        AdamW optimizer = new AdamW(parameters, settings.adamW());
        announce(err, parameters.config(), settings, corpus);
        train(parameters, optimizer, tok, settings, corpus.split(settings.validationFraction()), null, stdout, err);
        return 0;
    }

    private int resume(PrintWriter stdout, PrintWriter err) throws InterruptedException {
        for (var option : spec.commandLine().getParseResult().matchedOptions()) {
            if (!RESUMABLE.contains(option.longestName())) {
                throw new JgptException(option.longestName() + " cannot change when resuming: the run continues with its saved settings"
                        + " (only --steps and how it is watched may change)");
            }
        }
        Path checkpoint = TrainingCheckpoint.find(out).orElseThrow(() -> new JgptException(out
                + " holds no checkpoint to resume from (a run writes one every --checkpoint-every steps)"));
        TrainingState state = TrainingCheckpoint.readState(checkpoint);
        TrainingSettings saved = state.settings();
        boolean stepsGiven = spec.commandLine().getParseResult().hasMatchedOption("--steps");
        TrainingSettings settings = stepsGiven ? withSteps(saved, steps) : saved;
        if (state.step() >= settings.steps()) {
            throw new JgptException("the run in " + out + " has already done its " + state.step() + " steps; pass a larger --steps to go on");
        }
        Tokenizer tok = TokenizerLoader.fromDirectory(checkpoint);
        Parameters parameters = Parameters.load(checkpoint);
        AdamW optimizer = new AdamW(parameters, settings.adamW());
        optimizer.load(TrainingCheckpoint.optimizerFile(checkpoint));
        TokenDataset corpus = corpus(tok);
        TokenDataset.Split split = corpus.split(settings.validationFraction());
        if (!TrainingState.CorpusFingerprint.of(split.train()).sameTokens(state.corpus())) {
            throw new JgptException(data + " is not the data this run was trained on (" + state.corpus().source() + ", "
                    + state.corpus().tokens() + " training tokens)");
        }
        if (!json) {
            err.printf("jgpt: resuming %s at step %d of %d%n", out, state.step(), settings.steps());
        }
        train(parameters, optimizer, tok, settings, split, state, stdout, err);
        return 0;
    }

    /** Trains from the start, or from {@code resumed} when not null; watched with --watch, or when the run was. */
    private void train(Parameters parameters, AdamW optimizer, Tokenizer tok, TrainingSettings settings, TokenDataset.Split split,
                       TrainingState resumed, PrintWriter stdout, PrintWriter err) throws InterruptedException {
        long start = resumed == null ? 0 : resumed.step();
        boolean recorded = watch != null || (resumed != null && TrainingWatch.recorded(out));
        try (TrainingWatch watching = !recorded ? null : TrainingWatch.start(out, watch,
                WatchProbe.of(tok, parameters.config(), out.getFileName().toString(), watchPrompt, split.validation()),
                parameters.config(), settings, start)) {
            TrainingListener listener = TrainingOutput.listener(json, "jgpt: training", stdout, err);
            Trainer trainer = new Trainer(new TrainingModel(parameters), optimizer, tok, settings, split, out, dtype,
                    watching == null ? listener : TrainingListener.all(listener, watching.listener()));
            if (resumed != null) {
                trainer.restore(resumed);
            }
            if (watching != null) {
                watching.announce(err);
            }
            trainer.run(start);
            finish(err);
            if (watching != null) {
                watching.finished(settings.steps(), err);
            }
        }
    }

    private TrainingSettings settings(int totalSteps) {
        boolean cosine = switch (schedule.toLowerCase(Locale.ROOT)) {
            case "cosine" -> true;
            case "constant" -> false;
            default -> throw new JgptException("--lr-schedule must be cosine or constant, got '" + schedule + "'");
        };
        return new TrainingSettings(batch, gradAccum, ctx, totalSteps, lr, minLr, warmup, cosine,
                new AdamWSettings(beta1, beta2, eps, weightDecay), gradClip, valFraction, evalEvery, evalBatches,
                watch != null && !spec.commandLine().getParseResult().hasMatchedOption("--sample-every") ? evalEvery : sampleEvery,
                sampleTokens, checkpointEvery, seed, batching);
    }

    /** The shape of a new model: --arch, its widths, the tokenizer's vocabulary. */
    private ModelConfig newConfig(int vocab) {
        String name = arch.toLowerCase(Locale.ROOT);
        if (name.equals("gpt2")) {
            if (kvHeads != null) {
                throw new JgptException("--kv-heads applies to llama and qwen2; a gpt2 has as many key/value heads as heads");
            }
            return ModelConfig.gpt2(layers, heads, embd, ctx, vocab);
        }
        if (!name.equals("llama") && !name.equals("qwen2")) {
            throw new JgptException("--arch must be gpt2, llama or qwen2, got " + Quoted.of(arch));
        }
        if (heads <= 0 || embd % heads != 0) {
            throw new JgptException("--embd (" + embd + ") must be a positive multiple of --heads (" + heads + ")");
        }
        // rotary positions by halves, as Hugging Face's Llama and Qwen2 apply them
        Rope rope = Rope.of(Rope.Style.NEOX, embd / heads, 10000);
        boolean llama = name.equals("llama");
        return new ModelConfig(llama ? Architecture.llama(rope) : Architecture.qwen2(rope), layers, heads,
                kvHeads == null ? heads : kvHeads, embd, ModelConfig.multiply(4, embd, "--embd", "the MLP width 4 × --embd"), ctx,
                vocab, 1e-5f, !llama);
    }

    private static TrainingSettings withSteps(TrainingSettings s, int steps) {
        return new TrainingSettings(s.batch(), s.gradAccum(), s.seq(), steps, s.lr(), s.minLr(), s.warmup(), s.cosine(), s.adamW(),
                s.gradClip(), s.validationFraction(), s.evalEvery(), s.evalBatches(), s.sampleEvery(), s.sampleTokens(),
                s.checkpointEvery(), s.seed(), s.batching());
    }

    /** The tokenizer of a new model: learned from the data, or read from a folder. */
    private Tokenizer newTokenizer(PrintWriter err) {
        return switch (tokenizer) {
            case "char", "bpe" -> {
                if (isTokenFile()) {
                    throw new JgptException(data + " holds token ids already: pass --tokenizer DIR with the tokenizer they were made with");
                }
                TrainTokenizerCommand.Type type = tokenizer.equals("char") ? TrainTokenizerCommand.Type.CHAR : TrainTokenizerCommand.Type.BPE;
                Integer size = type == TrainTokenizerCommand.Type.BPE && vocabSize == null ? Integer.valueOf(4096) : vocabSize;
                yield TrainTokenizerCommand.train(TokenDataset.readText(data), type, size, err);
            }
            default -> TokenizerLoader.fromDirectory(Path.of(tokenizer));
        };
    }

    private boolean isTokenFile() {
        return data.getFileName().toString().endsWith(".bin");
    }

    private TokenDataset corpus(Tokenizer tok) {
        return isTokenFile() ? TokenDataset.fromUint16(data) : TokenDataset.fromText(data, tok);
    }

    private void announce(PrintWriter err, ModelConfig c, TrainingSettings s, TokenDataset corpus) {
        if (json) {
            return;
        }
        err.printf("jgpt: training a %s %s (%d layers, %d heads, %d dims, context %d, vocabulary %d) on %s tokens of %s%n",
                Units.count(c.parameterCount()), c.architecture(), c.layers(), c.heads(), c.embd(), c.contextLength(), c.vocabSize(),
                Units.count(corpus.size()), data);
        err.printf("jgpt: %d steps of %d × %d × %d tokens, lr %.2g → %.2g, writing to %s%n", s.steps(), s.gradAccum(), s.batch(),
                s.seq(), s.lr(), s.minLr(), out);
        err.flush();
    }

    private void finish(PrintWriter err) {
        if (!json) {
            err.printf("jgpt: done; the model is in %s (jgpt generate --model %s \"...\")%n", out, out);
            err.flush();
        }
    }
}
