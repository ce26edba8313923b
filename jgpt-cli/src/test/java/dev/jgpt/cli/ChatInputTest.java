package dev.jgpt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The multi-line input rules that the chat prompt and piped input share. */
class ChatInputTest {
    @Test
    void aBackslashAtTheEndOfALineAsksForTheNextOne() {
        assertThat(ChatInput.needsMore("Hello")).isFalse();
        assertThat(ChatInput.needsMore("Hello \\")).isTrue();
        assertThat(ChatInput.needsMore("Hello \\\nworld")).isFalse();
        assertThat(ChatInput.message("Hello \\\nworld \\\n  again ")).isEqualTo("Hello \nworld \n  again");
        // input that ends while asking for more loses the backslash
        assertThat(ChatInput.message("Hello \\")).isEqualTo("Hello");
        assertThat(ChatInput.message("a \\ b")).isEqualTo("a \\ b");
    }

    @Test
    void tripleQuotesEncloseLinesKeptAsTheyAre() {
        assertThat(ChatInput.needsMore("\"\"\"")).isTrue();
        assertThat(ChatInput.needsMore("\"\"\"\nline one \\")).isTrue();
        assertThat(ChatInput.needsMore("\"\"\"\nline one \\\n\"\"\"")).isFalse();
        assertThat(ChatInput.message("\"\"\"\nline one \\\n\n  line two\n\"\"\"")).isEqualTo("line one \\\n\n  line two");
        assertThat(ChatInput.message("\"\"\"inline\"\"\"")).isEqualTo("inline");
    }

    @Test
    void blankInputIsNoMessage() {
        assertThat(ChatInput.message("   ")).isEmpty();
        assertThat(ChatInput.message("\"\"\"\n\n\"\"\"")).isEmpty();
    }
}
