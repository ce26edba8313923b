package dev.jgpt.cli;

import dev.jgpt.generate.LanguageModel;
import dev.jgpt.tokenizer.Tokenizer;
import dev.jgpt.tokenizer.TokenizerLoader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "tokenize", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Show how the model's tokenizer cuts a text into tokens.",
            "",
            "Each id and its piece (with the BOS token the model puts before a prompt). A .gguf model may hold only a vocabulary."})
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
        if (isGguf(model.path())) {
            show(TokenizerLoader.fromGguf(model.path()));
        } else {
            try (LanguageModel lm = model.open()) {
                show(lm.tokenizer());
            }
        }
        return 0;
    }

    /** A GGUF file gives its tokenizer alone, without its weights: a vocabulary-only file works too. */
    private static boolean isGguf(Path model) {
        return model != null && model.getFileName() != null && model.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gguf");
    }

    private void show(Tokenizer tokenizer) {
        PrintWriter out = spec.commandLine().getOut();
        int[] ids = tokenizer.encodeSequence(text);
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
}
