package dev.jgpt.cli;

import dev.jgpt.generate.LanguageModel;
import dev.jgpt.tokenizer.Tokenizer;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = "Show how the model's tokenizer cuts a text into tokens: each id and its piece.")
final class TokenizeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions model = new ModelOptions();

    @Parameters(index = "0", paramLabel = "TEXT", description = "The text to tokenize.")
    String text;

    @Option(names = "--json", description = "Print {\"ids\": [...], \"pieces\": [...]} instead of a table.")
    boolean json;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (LanguageModel lm = model.open()) {
            Tokenizer tokenizer = lm.tokenizer();
            int[] ids = tokenizer.encode(text);
            List<String> pieces = new ArrayList<>();
            for (int id : ids) {
                pieces.add(tokenizer.piece(id));
            }
            if (json) {
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("ids", ids);
                result.put("pieces", pieces);
                Json.print(out, result);
            } else {
                out.printf("%d tokens%n", ids.length);
                for (int i = 0; i < ids.length; i++) {
                    // quoted as JSON strings so spaces, tabs and newlines are visible
                    out.printf("%8d  %s%n", ids[i], Json.quote(pieces.get(i)));
                }
                out.flush();
            }
        }
        return 0;
    }
}
