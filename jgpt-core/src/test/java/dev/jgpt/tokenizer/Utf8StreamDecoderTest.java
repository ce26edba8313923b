package dev.jgpt.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class Utf8StreamDecoderTest {
    private static final String TEXT = "Emoji 😀😃 👩‍👩‍👧‍👦 🏳️‍🌈 and CJK 中文字符 日本語のテキスト 한국어, Khmer ព្រះរាជាណាចក្រ, done ✅";

    @Test
    void holdsCutCharactersUntilTheyAreWhole() {
        ByteLevelBpe gpt2 = R50k.tokenizer();
        int[] ids = gpt2.encode(TEXT);
        Utf8StreamDecoder stream = new Utf8StreamDecoder(gpt2);
        StringBuilder all = new StringBuilder();
        int held = 0;
        for (int id : ids) {
            String part = stream.accept(id);
            assertThat(part).as("text after token %d (%s)", id, gpt2.piece(id)).doesNotContain("\uFFFD");
            if (stream.hasPending()) {
                held++;
            }
            all.append(part);
        }
        assertThat(held).as("tokens that ended inside a character (the text must exercise the hold)").isPositive();
        assertThat(stream.flush()).isEmpty();
        assertThat(all.toString()).isEqualTo(gpt2.decode(ids)).isEqualTo(TEXT);
    }

    @Test
    void flushGivesACutCharacterAsReplacement() {
        ByteLevelBpe gpt2 = R50k.tokenizer();
        int[] ids = gpt2.encode("😀");
        assertThat(ids).as("an emoji that GPT-2 cuts into several tokens").hasSizeGreaterThan(1);
        Utf8StreamDecoder stream = new Utf8StreamDecoder(gpt2);
        assertThat(stream.accept(ids[0])).isEmpty();
        assertThat(stream.flush()).isEqualTo(gpt2.decode(new int[] {ids[0]})).contains("\uFFFD");
        // after a flush the stream starts afresh
        StringBuilder again = new StringBuilder();
        for (int id : ids) {
            again.append(stream.accept(id));
        }
        assertThat(again.append(stream.flush()).toString()).isEqualTo("😀");
    }

    @Test
    void concatenationEqualsDecodeForRandomTokens() {
        ByteLevelBpe gpt2 = R50k.tokenizer();
        Random random = new Random(1234);
        for (int round = 0; round < 2000; round++) {
            int[] ids = new int[random.nextInt(12)];
            for (int i = 0; i < ids.length; i++) {
                // mostly single-byte tokens (ids below 256 include all bytes 0x80-0xFF), so that cut and broken UTF-8 is common
                ids[i] = random.nextInt(4) == 0 ? random.nextInt(gpt2.vocabSize()) : random.nextInt(256);
            }
            Utf8StreamDecoder stream = new Utf8StreamDecoder(gpt2);
            StringBuilder all = new StringBuilder();
            for (int id : ids) {
                all.append(stream.accept(id));
            }
            all.append(stream.flush());
            assertThat(all.toString()).as("round %d", round).isEqualTo(gpt2.decode(ids));
        }
    }
}
