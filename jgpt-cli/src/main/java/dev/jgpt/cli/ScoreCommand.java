package dev.jgpt.cli;

import dev.jgpt.generate.LanguageModel;
import dev.jgpt.generate.Scorer;
import dev.jgpt.tokenizer.Tokenizer;
import dev.jgpt.train.TokenDataset;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "score", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"How well the model predicts a text: the mean loss and the perplexity over its tokens.",
            "",
            "With --per-token, first a line for each token after the first: the log-probability the model gave it and "
                    + "the model's own top choice."})
final class ScoreCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions model = new ModelOptions();

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    static final class Input {
        @Option(names = "--text", paramLabel = "TEXT", description = "The text to score.")
        String text;

        @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "A UTF-8 text file to score.")
        Path file;

        @Option(names = "--tokens", paramLabel = "IDS", description = "Token ids to score, separated by commas.")
        String tokens;
    }

    @Option(names = "--chunk", paramLabel = "N", description = "Score as llama.cpp's perplexity tool does: chunks of N tokens, "
            + "each run alone and started with BOS (when the model's tokenizer adds one), counting the predictions in the "
            + "second half of each chunk.")
    Integer chunk;

    @Option(names = "--per-token", description = "Before the summary, a line for each predicted token: its log-probability, "
            + "probability and the model's top choice.")
    boolean perToken;

    @Option(names = "--json", description = "Print tokens, positions, logprobs, top_tokens, loss and perplexity as JSON.")
    boolean json;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (LanguageModel lm = model.open()) {
            Tokenizer tokenizer = lm.tokenizer();
            int[] ids = input.tokens != null ? CliValues.parseIds("--tokens", input.tokens)
                    : tokenizer.encodeSequence(input.text != null ? input.text : TokenDataset.readText(input.file));
            Scorer.Score score = chunk == null ? Scorer.score(lm.transformer(), ids)
                    : Scorer.scoreChunked(lm.transformer(), ids, chunk, tokenizer.addsBos() ? tokenizer.bosId() : OptionalInt.empty());
            if (json) {
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("tokens", score.tokens());
                result.put("positions", score.positions());
                result.put("logprobs", score.logprobs());
                result.put("top_tokens", score.topTokens());
                result.put("loss", score.loss());
                result.put("perplexity", score.perplexity());
                Json.print(out, result);
            } else {
                if (perToken) {
                    printPerToken(out, tokenizer, ids, score);
                }
                out.printf("loss %.4f nats/token, perplexity %.4f over %d predicted tokens%n",
                        score.loss(), score.perplexity(), score.logprobs().length);
                out.flush();
            }
        }
        return 0;
    }

    private static void printPerToken(PrintWriter out, Tokenizer tokenizer, int[] ids, Scorer.Score score) {
        out.printf("%5s  %-20s %10s %10s  %s%n", "pos", "token", "logprob", "prob", "model's top choice");
        for (int i = 0; i < score.logprobs().length; i++) {
            int position = score.positions()[i];
            int actual = ids[position];
            int top = score.topTokens()[i];
            out.printf("%5d  %-20s %10.4f %9.2f%%  %s%s%n", position, Json.quote(tokenizer.piece(actual)),
                    score.logprobs()[i], 100 * Math.exp(score.logprobs()[i]), Json.quote(tokenizer.piece(top)),
                    top == actual ? "  ✓" : "");
        }
    }
}
