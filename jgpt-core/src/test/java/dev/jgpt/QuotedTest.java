package dev.jgpt;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class QuotedTest {
    @Test
    void escapesTerminalControlSequences() {
        String retitle = "gpt2\u001b]0;owned\u0007\u001b[2J";
        assertThat(Quoted.of(retitle)).isEqualTo("'gpt2\\x1b]0;owned\\x07\\x1b[2J'");
        assertThat(Quoted.of("a\nb\tc\rd\u009b\u007f")).isEqualTo("'a\\nb\\tc\\rd\\x9b\\x7f'");
        assertThat(Quoted.of("abc\u202edef")).isEqualTo("'abc\\u202edef'");
    }

    @Test
    void capsLongValuesWithAnEllipsis() {
        String huge = "x".repeat(5_000_000);
        String quoted = Quoted.of(huge);
        assertThat(quoted).hasSize(Quoted.MAX_CHARS + 3).endsWith("…'");
        assertThat(Quoted.of("x".repeat(Quoted.MAX_CHARS))).doesNotContain("…");
    }

    @Test
    void keepsPrintableUnicodeAndWholeSurrogatePairs() {
        assertThat(Quoted.of("héllo 世界 😀")).isEqualTo("'héllo 世界 😀'");
        String cutInPair = "x".repeat(Quoted.MAX_CHARS - 1) + "😀";
        assertThat(Quoted.of(cutInPair)).isEqualTo("'" + "x".repeat(Quoted.MAX_CHARS - 1) + "…'");
        assertThat(Quoted.of("a\ud800b\udc00")).isEqualTo("'a\\ud800b\\udc00'");
    }

    @Test
    void lineEscapesWithoutCapping() {
        String long1 = "y".repeat(500) + "\u001b";
        assertThat(Quoted.line(long1)).isEqualTo("y".repeat(500) + "\\x1b");
    }
}
