package dev.jgpt.constrain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jgpt.JgptException;
import dev.jgpt.generate.Generation;
import dev.jgpt.generate.GenerationSettings;
import dev.jgpt.generate.TokenListener;
import dev.jgpt.sampling.SamplerSettings;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** GBNF grammars: parsed as llama.cpp writes them, matched exactly, and obeyed by a random model. */
class GbnfTest {
    /** A regular grammar and the same language as a Java regular expression: the independent check. */
    private static final String LIST = """
            # a tuple of words and numbers
            root ::= "(" word ("," ws num)* ")"
            word ::= [a-z]{2,4}
            num  ::= "-"? [1-9] [0-9]{0,3} | "0"
            ws   ::= [ \\t]?
            """;
    private static final Pattern LIST_REGEX = Pattern.compile("\\([a-z]{2,4}(,[ \\t]?(-?[1-9][0-9]{0,3}|0))*\\)");

    @TempDir
    static Path dir;

    @BeforeAll
    static void makeModel() {
        ConstrainedGenerationTest.dir = dir;
        ConstrainedGenerationTest.makeModel();
    }

    @AfterAll
    static void close() {
        ConstrainedGenerationTest.close();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "(ab)", "(abcd,1, -25,0)", "(ab,\t9999)",
    })
    void acceptsSentencesOfTheGrammar(String text) {
        assertThat(JsonSchemaTest.accepts(Gbnf.parse(LIST), text)).isTrue();
        assertThat(LIST_REGEX.matcher(text).matches()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "(a)", "(abcde)", "(ab,01)", "(ab,-0)", "(ab,12345)", "(ab,  1)", "(ab", "(ab))",
    })
    void rejectsOtherTexts(String text) {
        assertThat(JsonSchemaTest.accepts(Gbnf.parse(LIST), text)).isFalse();
    }

    @Test
    void aRandomModelWritesOnlySentencesOfTheGrammar() {
        Gbnf list = Gbnf.parse(LIST);
        Gbnf json = Gbnf.parse(Gbnf.JSON_OBJECT);
        Gbnf balanced = Gbnf.parse("root ::= pair+\npair ::= \"(\" pair* \")\" | \"[\" pair* \"]\"\n");
        for (long seed = 0; seed < 12; seed++) {
            String tuple = generate(list, seed, 60).text();
            assertThat(LIST_REGEX.matcher(tuple).matches()).as(tuple).isTrue();
            String object = generate(json, seed, 80).text();
            assertThat(ConstrainedGenerationTest.json(object).isObject()).as(object).isTrue();
            String brackets = generate(balanced, seed, 40).text();
            assertThat(balanced(brackets)).as(brackets).isTrue();
        }
    }

    /** Whether every bracket closes the one opened last, checked with a stack. */
    private static boolean balanced(String text) {
        StringBuilder open = new StringBuilder();
        for (char c : text.toCharArray()) {
            if (c == '(' || c == '[') {
                open.append(c);
            } else if (open.isEmpty() || open.charAt(open.length() - 1) != (c == ')' ? '(' : '[')) {
                return false;
            } else {
                open.setLength(open.length() - 1);
            }
        }
        return open.isEmpty() && !text.isEmpty();
    }

    private static Generation generate(Grammar grammar, long seed, int maxTokens) {
        SamplerSettings sampler = new SamplerSettings(1f, 0, 1f, 0f, 1f, seed);
        return ConstrainedGenerationTest.lm.generate("x", GenerationSettings.of(maxTokens, sampler).constrainedTo(grammar), TokenListener.NONE);
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
        "root ::= item\\n                  | 'item' is used but never defined",
        "start ::= \"a\"\\n                | no rule 'root'",
        "root ::= x \"a\"\\nx ::= \"b\"? root\\n | can recurse without reading",
        "root ::= (\"a\"?)*\\n             | can recurse without reading",
        "root ::= \"a\\n                   | a string is not closed",
        "root ::= \"a\" ]\\n                | line 1, column 14: expected the end of the line",
        "root ::= [b-a]\\n                 | runs backwards",
        "root ::= \"a\"\\nroot ::= \"b\"\\n | defined twice",
        "root ::= \"a\"{3,2}\\n            | maximum below",
    })
    void badGrammarsAreRefusedWithTheReason(String grammar, String says) {
        assertThatThrownBy(() -> Gbnf.parse(grammar.replace("\\n", "\n"))).isInstanceOf(JgptException.class).hasMessageContaining(says);
    }
}
