package dev.jgpt.jinja;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Where Python's None and jinja2's Undefined part ways, and Python's {@code +}: each expected
 * outcome is what jinja2 3.1 (ImmutableSandboxedEnvironment, trim_blocks, lstrip_blocks) gives.
 */
class PythonSemanticsTest {
    private static final Map<String, Object> NO_VARIABLES = Map.of();

    @Test
    void noneIsPrintedAndTestedAsNoneAndUndefinedAsNothing() {
        assertThat(render("{{ none }}|{{ x }}|{{ y }}", vars("x", null))).isEqualTo("OUTPUT None|None|");
        assertThat(render("{{ x is none }} {{ y is none }} {{ x is defined }} {{ y is defined }} {{ m.get('k') is none }}",
                vars("x", null, "m", Map.of()))).isEqualTo("OUTPUT True False True False True");
        assertThat(render("{{ [1] + [2] }} {{ 1 + 2 }} {{ x | tojson }}", vars("x", Arrays.asList(null, vars("a", null)))))
                .isEqualTo("OUTPUT [1, 2] 3 [null, {\"a\": null}]");
    }

    @Test
    void loopingOverNoneIsATypeErrorAndOverAnUndefinedValueNothing() {
        assertThat(render("{% for t in x %}{{ t }}{% endfor %}", vars("x", null))).isEqualTo("ERROR TypeError: 'NoneType' object is not iterable");
        assertThat(render("{% for t in y %}{{ t }}{% endfor %}.", NO_VARIABLES)).isEqualTo("OUTPUT .");
    }

    @Test
    void addingNoneOrADictToAStringIsATypeErrorAndAnUndefinedValueAnUndefinedError() {
        assertThat(render("{{ 'a' + x }}", vars("x", null))).isEqualTo("ERROR TypeError: can only concatenate str (not \"NoneType\") to str");
        assertThat(render("{{ 'a' + x }}", vars("x", Map.of("k", 1)))).isEqualTo("ERROR TypeError: can only concatenate str (not \"dict\") to str");
        assertThat(render("{{ 'a' + y }}", NO_VARIABLES)).isEqualTo("ERROR UndefinedError: 'y' is undefined");
    }

    @Test
    void anAttributeOrItemOfAnUndefinedValueIsAnUndefinedError() {
        assertThat(render("{{ y[0] }}", NO_VARIABLES)).isEqualTo("ERROR UndefinedError: 'y' is undefined");
        assertThat(render("{{ m.missing.x }}", vars("m", Map.of()))).isEqualTo("ERROR UndefinedError: 'dict object' has no attribute 'missing'");
    }

    @Test
    void mapGivesAGeneratorThatJsonCannotWrite() {
        Map<String, Object> items = vars("m", List.of(Map.of("a", 1)));
        assertThat(render("{{ m | map(attribute='a') | tojson }}", items)).isEqualTo("ERROR TypeError: Object of type generator is not JSON serializable");
        assertThat(render("{{ m | map(attribute='a') | list | tojson }}", items)).isEqualTo("OUTPUT [1]");
    }

    @Test
    void membershipInNoneOrANumberIsATypeErrorAndInAnUndefinedValueFalse() {
        assertThat(render("{{ 'a' in x }}", vars("x", null))).isEqualTo("ERROR TypeError: argument of type 'NoneType' is not iterable");
        assertThat(render("{{ 'a' not in x }}", vars("x", null))).isEqualTo("ERROR TypeError: argument of type 'NoneType' is not iterable");
        assertThat(render("{{ 'a' in 3 }}", NO_VARIABLES)).isEqualTo("ERROR TypeError: argument of type 'int' is not iterable");
        assertThat(render("{{ x in 'abc' }}", vars("x", null))).isEqualTo("ERROR TypeError: 'in <string>' requires string as left operand, not NoneType");
        assertThat(render("{{ 'a' in y }}", NO_VARIABLES)).isEqualTo("OUTPUT False");
        assertThat(render("{{ 'b' in 'abc' }} {{ 'k' in m }} {{ 2 in [1, 2] }}", vars("m", Map.of("k", 1)))).isEqualTo("OUTPUT True True True");
    }

    @Test
    void aGeneratorIsTrueEvenEmptyAndHasNoLength() {
        Map<String, Object> empty = vars("m", List.of());
        assertThat(render("{% if m | selectattr('a') %}yes{% endif %}", empty)).isEqualTo("OUTPUT yes");
        assertThat(render("{{ m | selectattr('a') | length }}", empty)).isEqualTo("ERROR TypeError: object of type 'generator' has no len()");
        assertThat(render("{{ m | items | list }} {{ m | items | list | tojson }}", vars("m", Map.of("a", 1))))
                .isEqualTo("OUTPUT [('a', 1)] [[\"a\", 1]]");
    }

    @Test
    void notBindsMoreLooselyThanFiltersAndComparisons() {
        assertThat(render("{{ not x|length == 1 }} {{ not 1 in [1] }} {{ not x is none }} {{ not x is string and true }}", vars("x", List.of(1, 2))))
                .isEqualTo("OUTPUT True False True True");
    }

    @Test
    void aStringAddedToSafeTextIsHtmlEscaped() {
        assertThat(render("{{ ('<a>' | safe) + '<b>' }}|{{ '<b>' + ('<a>' | safe) }}", NO_VARIABLES)).isEqualTo("OUTPUT <a>&lt;b&gt;|&lt;b&gt;<a>");
    }

    @Test
    void itemsIndentAndTheLoopsNeighboursAreJinja2s() {
        assertThat(render("{% set d = {'a': 1, 'b': 'c'} %}{% for k, v in d | items %}{{ k }}={{ v }};{% endfor %}", NO_VARIABLES))
                .isEqualTo("OUTPUT a=1;b=c;");
        assertThat(render("{{ 'a\nb\nc' | indent(2) }}|{{ 'a\nb\nc' | indent(2, first=True) }}|"
                + "{{ 'a\n\nb' | indent(width=3, first=true, blank=true) }}|{{ 'a\n\nb' | indent(2, true) }}", NO_VARIABLES))
                .isEqualTo("OUTPUT a\n  b\n  c|  a\n  b\n  c|   a\n   \n   b|  a\n\n  b");
        assertThat(render("{% for m in x %}{{ loop.nextitem }},{{ loop.previtem }};{% endfor %}", vars("x", List.of(1, 2, 3))))
                .isEqualTo("OUTPUT 2,;3,1;,2;");
    }

    private static String render(String template, Map<String, Object> variables) {
        try {
            return "OUTPUT " + Jinja.render(template, variables, LocalDateTime.of(2026, 1, 15, 0, 0));
        } catch (JinjaException e) {
            return "ERROR " + e.pythonError().orElse(e.getMessage());
        }
    }

    /** A map that may hold null values (Map.of may not). */
    private static Map<String, Object> vars(Object... keysAndValues) {
        Map<String, Object> map = new HashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }
}
