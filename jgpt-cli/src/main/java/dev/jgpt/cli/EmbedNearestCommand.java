package dev.jgpt.cli;

import dev.jgpt.generate.LanguageModel;
import dev.jgpt.inspect.EmbeddingQuery;
import dev.jgpt.inspect.Pieces;
import dev.jgpt.inspect.TokenEmbeddings;
import dev.jgpt.tensor.Tensor;
import dev.jgpt.tokenizer.Tokenizer;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
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

@Command(name = "embed-nearest", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Nearest tokens in the embedding matrix, and word arithmetic (king - man + woman).",
            "",
            "The tokens nearest to a word in the model's token embedding matrix (cosine similarity), and vector "
                    + "arithmetic between words:",
            "",
            "  jgpt embed-nearest king queen               neighbours of each word",
            "  jgpt embed-nearest \"king - man + woman\"     neighbours of the sum",
            "",
            "Terms of a sum are joined by ' + ' and ' - ' (spaces around them). The words themselves are left out of "
                    + "the answer. A word the tokenizer cuts into several tokens stands for the mean of their embeddings, "
                    + "and the output says so. Byte-level vocabularies (GPT-2) write a word inside a sentence with its "
                    + "leading space (' king'), often one token where 'king' is several: --space looks words up in that form.",
            ""})
final class EmbedNearestCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions model = new ModelOptions();

    @Parameters(arity = "1..*", paramLabel = "WORD", description = "A word, or a sum like \"king - man + woman\".")
    List<String> words;

    @Option(names = {"-n", "--top"}, paramLabel = "N", defaultValue = "10", description = "Neighbours to show (default: ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--space", description = "Put a space before each word, as it stands inside a sentence (' king').")
    boolean space;

    @Option(names = "--json", description = "Print the queries, their tokens, notes and neighbours as JSON.")
    boolean json;

    /** One query's answer as --json prints it. */
    record Result(String query, List<Term> terms, List<String> notes, List<Neighbour> nearest) {}

    record Embedding(String tensor, long[] shape, String dtype) {}

    record Term(String text, int sign, List<Token> tokens) {}

    record Token(int id, String piece) {}

    record Neighbour(int id, String piece, double similarity) {}

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (LanguageModel lm = model.open()) {
            Tokenizer tokenizer = lm.tokenizer();
            Tensor table = lm.transformer().weights().tokenEmbedding();
            TokenEmbeddings embeddings = new TokenEmbeddings(table);
            List<Result> results = new ArrayList<>();
            for (EmbeddingQuery query : queries()) {
                results.add(result(tokenizer, query, embeddings.nearest(tokenizer, query, top)));
            }
            if (json) {
                Map<String, Object> document = new LinkedHashMap<>();
                document.put("embedding", new Embedding(table.name(), table.shape(), table.dtype().name()));
                document.put("queries", results);
                Json.print(out, document);
            } else {
                results.forEach(result -> print(out, result));
                out.printf("(cosine similarity between rows of the token embedding %s %s, stored as %s)%n", table.name(),
                        Tensor.shapeString(table.shape()), table.dtype());
            }
            out.flush();
        }
        return 0;
    }

    /** Each argument is a query, unless a lone '+' or '-' shows that the shell split one sum into several. */
    private List<EmbeddingQuery> queries() {
        List<String> expressions = words.contains("+") || words.contains("-") ? List.of(String.join(" ", words)) : words;
        List<EmbeddingQuery> queries = new ArrayList<>();
        for (String expression : expressions) {
            EmbeddingQuery query = EmbeddingQuery.parse(expression);
            queries.add(space ? query.withLeadingSpace() : query);
        }
        return queries;
    }

    private Result result(Tokenizer tokenizer, EmbeddingQuery query, TokenEmbeddings.Nearest nearest) {
        List<Term> terms = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (TokenEmbeddings.TermTokens term : nearest.terms()) {
            String text = term.term().text();
            List<Token> tokens = Arrays.stream(term.ids()).mapToObj(id -> new Token(id, Pieces.of(tokenizer, id))).toList();
            terms.add(new Term(text, term.term().sign(), tokens));
            if (tokens.size() > 1) {
                notes.add(splitNote(tokenizer, text, tokens));
            }
        }
        List<Neighbour> neighbours = nearest.neighbours().stream()
                .map(n -> new Neighbour(n.id(), Pieces.of(tokenizer, n.id()), n.similarity())).toList();
        return new Result(query.toString(), terms, notes, neighbours);
    }

    /** The honest part: a word that is several tokens here, and whether its other form would be one. */
    private String splitNote(Tokenizer tokenizer, String text, List<Token> tokens) {
        String note = Json.quote(text) + " is " + tokens.size() + " tokens here, " + pieces(tokens)
                + ": the mean of their embeddings stands for it";
        String other = space ? text.substring(1) : " " + text;
        if (tokenizer.encode(other).length == 1) {
            note += " (" + Json.quote(other) + " is one token: " + (space ? "drop" : "try") + " --space)";
        }
        return note;
    }

    private static void print(PrintWriter out, Result result) {
        StringBuilder words = new StringBuilder();
        StringBuilder tokens = new StringBuilder();
        for (Term term : result.terms()) {
            String operator = term == result.terms().getFirst() ? "" : term.sign() > 0 ? " + " : " − ";
            words.append(operator).append(Json.quote(term.text()));
            tokens.append(operator).append(pieces(term.tokens()));
        }
        StringBuilder head = new StringBuilder(words).append("   tokens: ").append(tokens);
        out.println(head);
        for (String note : result.notes()) {
            out.println("  note: " + note);
        }
        for (int i = 0; i < result.nearest().size(); i++) {
            Neighbour n = result.nearest().get(i);
            out.printf("  %3d  %-20s %8d  %7.4f%n", i + 1, Json.quote(n.piece()), n.id(), n.similarity());
        }
        out.println();
    }

    /** " king" or [" wom" "an"]. */
    private static String pieces(List<Token> tokens) {
        List<String> quoted = tokens.stream().map(t -> Json.quote(t.piece())).toList();
        return quoted.size() == 1 ? quoted.getFirst() : "[" + String.join(" ", quoted) + "]";
    }
}
