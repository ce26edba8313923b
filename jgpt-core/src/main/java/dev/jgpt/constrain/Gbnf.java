package dev.jgpt.constrain;

import dev.jgpt.JgptException;
import dev.jgpt.Quoted;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A grammar in llama.cpp's GBNF: rules {@code name ::= alternatives}, each a sequence of strings
 * ({@code "..."}), character classes ({@code [a-z]}, {@code [^"\\]}), {@code .}, rule names and
 * groups, each element optionally repeated ({@code * + ? {m} {m,} {m,n}}); {@code #} starts a
 * comment; the language is the rule {@code root}. Repetitions become rules of their own, so the
 * matcher ({@link GbnfState}) knows only character sets and rule references.
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
        Parser parser = new Parser(text);
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

    /** Recursive descent over the text; repetitions and groups become rules named after the rule they are in. */
    private static final class Parser {
        private final String text;
        private int pos;
        final List<List<Sequence>> rules = new ArrayList<>();
        final List<String> names = new ArrayList<>();
        private final Map<String, Integer> ids = new HashMap<>();
        private final Map<String, Integer> firstUse = new HashMap<>();
        private final List<Boolean> isDefined = new ArrayList<>();
        private String current;

        Parser(String text) {
            this.text = text;
        }

        void parseRules() {
            space(true);
            while (pos < text.length()) {
                int at = pos;
                String name = name();
                space(false);
                expect("::=");
                space(true);
                int id = id(name);
                if (isDefined.get(id)) {
                    throw error(at, "the rule " + Quoted.of(name) + " is defined twice");
                }
                isDefined.set(id, true);
                current = name;
                rules.set(id, alternatives(false));
                if (pos < text.length() && text.charAt(pos) != '\n' && text.charAt(pos) != '\r') {
                    throw error(pos, "expected the end of the line after the rule " + Quoted.of(name));
                }
                space(true);
            }
            for (int r = 0; r < names.size(); r++) {
                if (!isDefined.get(r)) {
                    throw error(firstUse.get(names.get(r)), "the rule " + Quoted.of(names.get(r)) + " is used but never defined");
                }
            }
        }

        int root() {
            Integer root = ids.get("root");
            if (root == null || !isDefined.get(root)) {
                throw new JgptException("the grammar has no rule 'root' (the rule the whole text must match)");
            }
            return root;
        }

        private int id(String name) {
            return ids.computeIfAbsent(name, n -> {
                names.add(n);
                rules.add(List.of());
                isDefined.add(false);
                return names.size() - 1;
            });
        }

        /** A rule made by the parser (a group, a repetition), defined at once. */
        private int generated(List<Sequence> alternatives) {
            int id = id(current + "-" + names.size());
            rules.set(id, alternatives);
            isDefined.set(id, true);
            return id;
        }

        private List<Sequence> alternatives(boolean nested) {
            List<Sequence> alternatives = new ArrayList<>();
            alternatives.add(sequence(nested));
            while (pos < text.length() && text.charAt(pos) == '|') {
                pos++;
                space(true);
                alternatives.add(sequence(nested));
            }
            return alternatives;
        }

        private Sequence sequence(boolean nested) {
            List<Element> elements = new ArrayList<>();
            while (pos < text.length()) {
                char c = text.charAt(pos);
                int start = elements.size();
                if (c == '"') {
                    pos++;
                    while (true) {
                        if (pos >= text.length()) {
                            throw error(pos, "a string is not closed");
                        }
                        if (text.charAt(pos) == '"') {
                            pos++;
                            break;
                        }
                        int cp = character();
                        elements.add(new Chars(new int[] {cp, cp}, false));
                    }
                } else if (c == '[') {
                    elements.add(charClass());
                } else if (c == '.') {
                    pos++;
                    elements.add(new Chars(new int[0], true));
                } else if (c == '(') {
                    pos++;
                    space(true);
                    List<Sequence> group = alternatives(true);
                    if (pos >= text.length() || text.charAt(pos) != ')') {
                        throw error(pos, "expected ')'");
                    }
                    pos++;
                    elements.add(new RuleRef(generated(group)));
                } else if (isNameChar(c)) {
                    int at = pos;
                    String name = name();
                    firstUse.putIfAbsent(name, at);
                    elements.add(new RuleRef(id(name)));
                } else {
                    break;
                }
                space(nested);
                repeat(elements, start);
                space(nested);
            }
            return new Sequence(elements);
        }

        /** A postfix operator on the last element: it is replaced by the elements or rules that repeat it. */
        private void repeat(List<Element> elements, int start) {
            if (pos >= text.length() || elements.size() == start) {
                return;
            }
            char c = text.charAt(pos);
            int min;
            int max;
            switch (c) {
                case '*' -> { min = 0; max = -1; pos++; }
                case '+' -> { min = 1; max = -1; pos++; }
                case '?' -> { min = 0; max = 1; pos++; }
                case '{' -> {
                    pos++;
                    space(false);
                    min = number();
                    space(false);
                    max = min;
                    if (pos < text.length() && text.charAt(pos) == ',') {
                        pos++;
                        space(false);
                        max = pos < text.length() && Character.isDigit(text.charAt(pos)) ? number() : -1;
                        space(false);
                    }
                    expect("}");
                    if (max >= 0 && max < min) {
                        throw error(pos, "a repetition {" + min + "," + max + "} has its maximum below its minimum");
                    }
                }
                default -> {
                    return;
                }
            }
            Element x = elements.removeLast();
            for (int i = 0; i < min; i++) {
                elements.add(x);
            }
            if (max < 0) { // x*: R ::= x R | ε
                int r = id(current + "-" + names.size());
                rules.set(r, List.of(new Sequence(List.of(x, new RuleRef(r))), new Sequence(List.of())));
                isDefined.set(r, true);
                elements.add(new RuleRef(r));
            } else {
                // at most max - min more: R_k ::= x R_(k-1) | ε, innermost first
                Element tail = null;
                for (int k = 0; k < max - min; k++) {
                    List<Element> more = tail == null ? List.of(x) : List.of(x, tail);
                    tail = new RuleRef(generated(List.of(new Sequence(more), new Sequence(List.of()))));
                }
                if (tail != null) {
                    elements.add(tail);
                }
            }
        }

        private Chars charClass() {
            pos++; // '['
            boolean negated = pos < text.length() && text.charAt(pos) == '^';
            if (negated) {
                pos++;
            }
            List<Integer> ranges = new ArrayList<>();
            while (true) {
                if (pos >= text.length()) {
                    throw error(pos, "a character class is not closed");
                }
                if (text.charAt(pos) == ']') {
                    pos++;
                    break;
                }
                int first = character();
                int last = first;
                if (pos + 1 < text.length() && text.charAt(pos) == '-' && text.charAt(pos + 1) != ']') {
                    pos++;
                    last = character();
                    if (last < first) {
                        throw error(pos, "the range in a character class runs backwards");
                    }
                }
                ranges.add(first);
                ranges.add(last);
            }
            return new Chars(ranges.stream().mapToInt(Integer::intValue).toArray(), negated);
        }

        /** One character of a string or class, escapes read. */
        private int character() {
            int cp = text.codePointAt(pos);
            pos += Character.charCount(cp);
            if (cp != '\\') {
                return cp;
            }
            if (pos >= text.length()) {
                throw error(pos, "an escape is cut short");
            }
            char e = text.charAt(pos++);
            return switch (e) {
                case 'n' -> '\n';
                case 'r' -> '\r';
                case 't' -> '\t';
                case 'x' -> hex(2);
                case 'u' -> hex(4);
                case 'U' -> hex(8);
                case '\\', '"', '[', ']', '-', '^', '/' -> e;
                default -> throw error(pos - 1, "unknown escape \\" + e);
            };
        }

        private int hex(int digits) {
            if (pos + digits > text.length()) {
                throw error(pos, "an escape needs " + digits + " hex digits");
            }
            try {
                int value = Integer.parseInt(text.substring(pos, pos + digits), 16);
                pos += digits;
                return value;
            } catch (NumberFormatException e) {
                throw error(pos, "an escape needs " + digits + " hex digits");
            }
        }

        private int number() {
            int start = pos;
            while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
                pos++;
            }
            if (start == pos || pos - start > 4) {
                throw error(start, "expected a repetition count (0 to 9999)");
            }
            return Integer.parseInt(text.substring(start, pos));
        }

        private String name() {
            int start = pos;
            while (pos < text.length() && isNameChar(text.charAt(pos))) {
                pos++;
            }
            if (start == pos) {
                throw error(pos, "expected a rule name");
            }
            return text.substring(start, pos);
        }

        private static boolean isNameChar(char c) {
            return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_';
        }

        private void expect(String word) {
            if (!text.startsWith(word, pos)) {
                throw error(pos, "expected " + Quoted.of(word));
            }
            pos += word.length();
        }

        /** Spaces and comments; line ends too when {@code newlines}. */
        private void space(boolean newlines) {
            while (pos < text.length()) {
                char c = text.charAt(pos);
                if (c == ' ' || c == '\t' || (newlines && (c == '\n' || c == '\r'))) {
                    pos++;
                } else if (c == '#') {
                    while (pos < text.length() && text.charAt(pos) != '\n') {
                        pos++;
                    }
                } else {
                    return;
                }
            }
        }

        private JgptException error(int at, String problem) {
            int line = 1;
            int column = 1;
            for (int i = 0; i < at && i < text.length(); i++) {
                if (text.charAt(i) == '\n') {
                    line++;
                    column = 1;
                } else {
                    column++;
                }
            }
            return new JgptException("the grammar at line " + line + ", column " + column + ": " + problem);
        }
    }
}
