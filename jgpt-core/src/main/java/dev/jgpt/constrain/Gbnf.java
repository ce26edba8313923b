package dev.jgpt.constrain;

import dev.jgpt.JgptException;
import dev.jgpt.Quoted;
import java.util.List;

/**
 * A grammar in llama.cpp's GBNF: rules {@code name ::= alternatives}, each a sequence of strings
 * ({@code "..."}), character classes ({@code [a-z]}, {@code [^"\\]}), {@code .}, rule names and
 * groups, each element optionally repeated ({@code * + ? {m} {m,} {m,n}}); {@code #} starts a
 * comment; the language is the rule {@code root}. The parser ({@link GbnfParser}) makes
 * repetitions and groups rules of their own, so the matcher ({@link GbnfState}) knows only
 * character sets and rule references.
 */
public final class Gbnf implements Grammar {
    /** JSON objects in GBNF, compact (no whitespace), as llama.cpp's grammars write JSON: a grammar to start from. */
    public static final String JSON_OBJECT = """
            root   ::= object
            value  ::= object | array | string | number | ("true" | "false" | "null")
            object ::= "{" ( string ":" value ("," string ":" value)* )? "}"
            array  ::= "[" ( value ("," value)* )? "]"
            string ::= "\\"" ( [^"\\\\\\x7F\\x00-\\x1F] | "\\\\" (["\\\\/bfnrt] | "u" [0-9a-fA-F]{4}) )* "\\""
            number ::= "-"? ([0-9] | [1-9] [0-9]{1,15}) ("." [0-9]{1,15})? ([eE] [-+]? [0-9]{1,3})?
            """;

    /** One element of a sequence: a set of characters, or a reference to a rule. */
    sealed interface Element permits Chars, RuleRef {
    }

    /** The characters in {@code ranges} (pairs of first and last code point), or outside them when {@code negated}. */
    record Chars(int[] ranges, boolean negated) implements Element {
        /** The characters that may stand unescaped in a JSON string, as ranges: see {@link TokenTrie#plain}. */
        private static final int[] PLAIN = {0x20, 0x21, 0x23, 0x5B, 0x5D, 0x7E, 0x80, Character.MAX_CODE_POINT};

        boolean matches(int c) {
            boolean in = false;
            for (int i = 0; i < ranges.length && !in; i += 2) {
                in = c >= ranges[i] && c <= ranges[i + 1];
            }
            return in != negated;
        }

        /** Whether this set holds every plain character ({@code all}) or none of them ({@code !all}); false when it holds some. */
        boolean plain(boolean all) {
            // the ranges listed are inside or outside the set: "none listed touches the plain ones" is the test either way
            boolean listedTouchPlain = false;
            for (int i = 0; i < ranges.length; i += 2) {
                for (int p = 0; p < PLAIN.length; p += 2) {
                    listedTouchPlain |= ranges[i] <= PLAIN[p + 1] && ranges[i + 1] >= PLAIN[p];
                }
            }
            return !listedTouchPlain && negated == all;
        }
    }

    record RuleRef(int rule) implements Element {
    }

    /** One alternative of a rule, with the fewest characters that finish it from each position. */
    static final class Sequence {
        final Element[] elements;
        final int[] suffixMin;

        Sequence(List<Element> elements) {
            this.elements = elements.toArray(Element[]::new);
            this.suffixMin = new int[this.elements.length + 1];
        }
    }

    final List<List<Sequence>> rules;
    final int[] ruleMin;
    private final int root;

    private Gbnf(List<List<Sequence>> rules, int root) {
        this.rules = rules;
        this.root = root;
        this.ruleMin = new int[rules.size()];
        settleLengths();
    }

    /**
     * Parses {@code text}.
     *
     * @throws JgptException saying what is wrong and where (line and column), for text that is not
     *                       GBNF, an undefined rule, no {@code root}, or a rule that can recurse without reading a character
     */
    public static Gbnf parse(String text) {
        GbnfParser parser = new GbnfParser(text);
        parser.parseRules();
        Gbnf grammar = new Gbnf(parser.rules, parser.root());
        grammar.refuseLeftRecursion(parser.names);
        if (grammar.ruleMin[grammar.root] >= TextState.NEVER) {
            throw new JgptException("the grammar's root can never end: every alternative recurses for ever");
        }
        return grammar;
    }

    @Override
    public TextState start() {
        return GbnfState.start(this, root);
    }

    /** The fewest characters of each rule and of each sequence's tails, to a fixed point (lengths only shrink). */
    private void settleLengths() {
        java.util.Arrays.fill(ruleMin, TextState.NEVER);
        boolean changed = true;
        while (changed) {
            changed = false;
            for (int r = 0; r < rules.size(); r++) {
                int best = TextState.NEVER;
                for (Sequence s : rules.get(r)) {
                    for (int i = s.elements.length - 1; i >= 0; i--) {
                        int own = s.elements[i] instanceof RuleRef ref ? ruleMin[ref.rule()] : 1;
                        s.suffixMin[i] = TextState.add(own, s.suffixMin[i + 1]);
                    }
                    best = Math.min(best, s.suffixMin[0]);
                }
                if (best < ruleMin[r]) {
                    ruleMin[r] = best;
                    changed = true;
                }
            }
        }
    }

    /** A rule that can reach itself before reading a character would make the matcher expand for ever. */
    private void refuseLeftRecursion(List<String> names) {
        int[] mark = new int[rules.size()]; // 0 unseen, 1 on the path, 2 done
        for (int r = 0; r < rules.size(); r++) {
            leftWalk(r, mark, names);
        }
    }

    private void leftWalk(int r, int[] mark, List<String> names) {
        if (mark[r] == 2) {
            return;
        }
        if (mark[r] == 1) {
            throw new JgptException("the grammar's rule " + Quoted.of(names.get(r)) + " can recurse without reading a character "
                    + "(left recursion, or a repetition of something that may be empty)");
        }
        mark[r] = 1;
        for (Sequence s : rules.get(r)) {
            for (Element e : s.elements) {
                if (!(e instanceof RuleRef ref)) {
                    break;
                }
                leftWalk(ref.rule(), mark, names);
                if (ruleMin[ref.rule()] > 0) {
                    break;
                }
            }
        }
        mark[r] = 2;
    }
}
