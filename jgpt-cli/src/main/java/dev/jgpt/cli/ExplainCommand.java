package dev.jgpt.cli;

import dev.jgpt.JgptException;
import dev.jgpt.generate.LanguageModel;
import dev.jgpt.inspect.AttentionLimit;
import dev.jgpt.inspect.Explainer;
import dev.jgpt.inspect.Explanation;
import dev.jgpt.inspect.ExplanationJson;
import dev.jgpt.model.ModelConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "explain", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Show what the model does with a text, step by step.",
            "",
            "The tokens it sees, how surprised it was "
                + "by each (surprisal in bits, perplexity), its next-token prediction (top-k, and at temperatures 0.5, 1 "
                + "and 2), where each token looks in one layer's attention, and the logit lens (the prediction read from "
                + "the residual stream after every layer). Layers and heads count from 0."})
final class ExplainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions model = new ModelOptions();

    @Parameters(index = "0", paramLabel = "TEXT", description = "The text to explain (the model's BOS is put before it when it expects one).")
    String text;

    @Option(names = {"-k", "--top-k"}, paramLabel = "K", defaultValue = "10",
            description = "Candidates shown per prediction (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--layer", paramLabel = "L", description = "The layer whose attention is shown (default: the last).")
    Integer layer;

    @Option(names = "--head", paramLabel = "H", description = "One head of that layer (default: the mean over its heads).")
    Integer head;

    @Option(names = "--no-color", description = "No colours, even on a terminal that shows them.")
    boolean noColor;

    @Option(names = "--json", description = "Print everything as one JSON document (tokens, next, temperatures, logprobs, "
            + "perplexity, attention [layer][head][query][key], logit_lens, positions).")
    boolean json;

    @Option(names = "--html", paramLabel = "FILE", description = "Write a self-contained page to explore it all in a browser.")
    Path html;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (LanguageModel lm = model.open()) {
            ModelConfig config = lm.config();
            int shownLayer = layer == null ? config.layers() - 1 : layer;
            check("--layer", shownLayer, config.layers(), "layers");
            if (head != null) {
                check("--head", head, config.heads(), "heads per layer");
            }
            int[] tokens = lm.tokenizer().encodeSequence(text);
            if (html != null) {
                AttentionLimit.check(config, tokens.length);
            }
            String name = model.path() == null ? "the shipped model" : String.valueOf(model.path().getFileName());
            Explanation explanation = Explainer.explain(lm.transformer(), lm.tokenizer(), name, tokens, topK);
            if (html != null || json) {
                String document = ExplanationJson.write(explanation);
                if (html != null) {
                    ExplainPage.write(html, document);
                    (json ? spec.commandLine().getErr() : out).println("wrote " + html);
                }
                if (json) {
                    out.println(document);
                }
            } else {
                boolean color = !noColor && CommandLine.Help.Ansi.AUTO.enabled();
                new ExplainReport(out, explanation, color).print(shownLayer, head);
            }
            out.flush();
        }
        return 0;
    }

    private static void check(String option, int value, int count, String what) {
        if (value < 0 || value >= count) {
            throw new JgptException(option + " " + value + " is out of range: the model has " + count + " " + what
                    + " (0.." + (count - 1) + ")");
        }
    }
}
