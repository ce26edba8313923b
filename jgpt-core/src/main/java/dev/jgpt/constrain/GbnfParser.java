package dev.jgpt.constrain;

import dev.jgpt.JgptException;
import dev.jgpt.Quoted;
import dev.jgpt.constrain.Gbnf.Chars;
import dev.jgpt.constrain.Gbnf.Element;
import dev.jgpt.constrain.Gbnf.RuleRef;
import dev.jgpt.constrain.Gbnf.Sequence;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Recursive descent over the text; repetitions and groups become rules named after the rule they are in. */
final class GbnfParser {
    private final String text;
    private int pos;
    final List<List<Sequence>> rules = new ArrayList<>();
    final List<String> names = new ArrayList<>();
    private final Map<String, Integer> ids = new HashMap<>();
    private final Map<String, Integer> firstUse = new HashMap<>();
    private final List<Boolean> isDefined = new ArrayList<>();
    private String current;

    GbnfParser(String text) {
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
