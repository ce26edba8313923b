package dev.jgpt.cli;

import dev.jgpt.generate.ContextOverflow;
import dev.jgpt.generate.FinishReason;
import dev.jgpt.generate.Generation;
import dev.jgpt.generate.GenerationSettings;
import dev.jgpt.generate.LanguageModel;
import dev.jgpt.generate.TokenListener;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Continue a prompt, writing the new text as it is generated.")
final class GenerateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions model = new ModelOptions();

    @Mixin
    PromptOptions prompt = new PromptOptions();

    @Mixin
    ContextSizeOption contextSize = new ContextSizeOption();

    @Option(names = {"-n", "--max-tokens"}, paramLabel = "N", defaultValue = "128",
            description = "Most new tokens to write (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Mixin
    SamplingOptions sampling = new SamplingOptions();

    @Option(names = "--stop", paramLabel = "TEXT", description = "Stop before this text (repeatable).")
    List<String> stop = new ArrayList<>();

    @Option(names = "--context-overflow", paramLabel = "POLICY", defaultValue = "stop",
            description = "When the context window is full: stop, or slide (drop the oldest half and go on) (default: ${DEFAULT-VALUE}).")
    ContextOverflow overflow;

    @Option(names = "--echo", description = "Print the prompt before the continuation.")
    boolean echo;

    @Option(names = "--json", description = "Print one JSON object at the end instead of streaming text.")
    boolean json;

    @Override
    public Integer call() {
        long actualSeed = sampling.seed();
        GenerationSettings settings = new GenerationSettings(maxTokens, sampling.settings(), stop, overflow);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String promptText = prompt.text(System.in);
        try (LanguageModel lm = contextSize.applyTo(model.open())) {
            int[] promptTokens = lm.tokenizer().encodeSequence(promptText);
            if (echo && !json) {
                out.print(promptText);
                out.flush();
            }
            TokenListener listener = json ? TokenListener.NONE : (id, text) -> {
                out.print(text);
                out.flush();
            };
            Generation g = lm.generate(promptTokens, settings, listener);
            if (json) {
                Json.print(out, toJson(g, actualSeed));
            } else {
                out.println();
                out.flush();
                err.printf("[%d prompt tokens at %.1f tokens/s; %d new tokens at %.1f tokens/s; finish: %s; seed %d]%n",
                        g.timings().promptTokens(), g.timings().promptTokensPerSecond(),
                        g.timings().generatedTokens(), g.timings().generationTokensPerSecond(),
                        g.finishReason().wireName(), actualSeed);
                if (g.finishReason() == FinishReason.CONTEXT_FULL) {
                    err.println("jgpt: stopped because the context window (" + lm.contextSize()
                            + " tokens) is full; --context-overflow slide keeps the newest tokens and goes on");
                }
                err.flush();
            }
        }
        return 0;
    }

    private static Map<String, Object> toJson(Generation g, long seed) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("prompt_tokens", g.promptTokens());
        json.put("tokens", g.tokens());
        json.put("text", g.text());
        json.put("finish_reason", g.finishReason().wireName());
        json.put("seed", seed);
        Map<String, Object> timings = new LinkedHashMap<>();
        timings.put("prompt_ms", g.timings().promptMillis());
        timings.put("prompt_tokens_per_s", g.timings().promptTokensPerSecond());
        timings.put("generation_ms", g.timings().generationMillis());
        timings.put("generation_tokens_per_s", g.timings().generationTokensPerSecond());
        json.put("timings", timings);
        return json;
    }
}
