package dev.jgpt.tokenizer;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Special tokens: their texts and ids, and where their texts occur in a string. */
final class SpecialTokens {
    private final Map<String, Integer> byText;
    private final Map<Integer, String> byId = new HashMap<>();
    /** Alternation of the texts, longest first so that one special's text inside another's never wins. */
    private final Pattern pattern;

    SpecialTokens(Map<String, Integer> byText) {
        this.byText = Map.copyOf(byText);
        new TreeMap<>(byText).forEach((text, id) -> byId.putIfAbsent(id, text));
        List<String> texts = byText.keySet().stream()
                .filter(t -> !t.isEmpty())
                .sorted(Comparator.comparingInt(String::length).reversed().thenComparing(Comparator.naturalOrder()))
                .toList();
        // a group, so that one text alone is not compiled as a bare literal, whose Boyer-Moore table
        // the JDK builds in time quadratic in its length (a file's megabyte-long "special token")
        this.pattern = texts.isEmpty() ? null
                : Pattern.compile("(?:" + texts.stream().map(Pattern::quote).collect(Collectors.joining("|")) + ")");
    }

    boolean isEmpty() {
        return pattern == null;
    }

    OptionalInt id(String text) {
        Integer id = byText.get(text);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    boolean contains(int id) {
        return byId.containsKey(id);
    }

    /** The text of special token {@code id} (the first in text order if several texts share it). */
    Optional<String> text(int id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** A matcher finding special tokens' texts in {@code text}; only valid when not {@link #isEmpty()}. */
    Matcher matcher(String text) {
        return pattern.matcher(text);
    }

    /** Text to id, in a new mutable map. */
    Map<String, Integer> asMap() {
        return new HashMap<>(byText);
    }
}
