package dev.jgpt.inspect;

import dev.jgpt.JgptException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A sum of token embeddings written as text: {@code "king - man + woman"}. Terms are separated
 * by {@code +} or {@code -} with whitespace on both sides (so "well-known" stays one term); the
 * first term counts positively; each term is the text as written, outer whitespace removed.
 */
public record EmbeddingQuery(List<Term> terms) {
    private static final Pattern OPERATOR = Pattern.compile("\\s+([+-])\\s+");
    private static final Pattern LONE_OPERATOR = Pattern.compile("[+-](\\s.*)?", Pattern.DOTALL);

    /** One term: its text, counted with {@code sign} +1 or −1. */
    public record Term(int sign, String text) {}

    public EmbeddingQuery {
        terms = List.copyOf(terms);
        if (terms.isEmpty()) {
            throw new JgptException("an embedding query needs at least one word");
        }
    }

    public static EmbeddingQuery parse(String expression) {
        List<Term> terms = new ArrayList<>();
        Matcher m = OPERATOR.matcher(expression);
        int from = 0;
        int sign = 1;
        while (m.find()) {
            terms.add(term(expression, sign, expression.substring(from, m.start())));
            sign = m.group(1).equals("+") ? 1 : -1;
            from = m.end();
        }
        terms.add(term(expression, sign, expression.substring(from)));
        return new EmbeddingQuery(terms);
    }

    private static Term term(String expression, int sign, String text) {
        String word = text.strip();
        if (word.isEmpty() || LONE_OPERATOR.matcher(word).matches()) { // "king - - man": an operator with no term
            throw new JgptException("'" + expression + "' has an empty term: write words joined by ' + ' and ' - ',"
                    + " like 'king - man + woman'");
        }
        return new Term(sign, word);
    }

    /** The same query with a space before each word: the form a word takes inside a sentence. */
    public EmbeddingQuery withLeadingSpace() {
        return new EmbeddingQuery(terms.stream().map(t -> new Term(t.sign(), " " + t.text())).toList());
    }

    /** The query written back: "king - man + woman". */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        for (Term t : terms) {
            if (!s.isEmpty()) {
                s.append(t.sign() > 0 ? " + " : " - ");
            }
            s.append(t.text());
        }
        return s.toString();
    }
}
