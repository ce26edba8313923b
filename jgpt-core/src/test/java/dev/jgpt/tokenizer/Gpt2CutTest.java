package dev.jgpt.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * GPT-2's tokenizer cut to a smaller vocabulary ({@link Gpt2Tokenizers#firstTokens}), against
 * the whole GPT-2 encoding as jtokkit (an independent implementation) gives it.
 */
class Gpt2CutTest {
    private static final Encoding R50K = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.R50K_BASE);

    @ParameterizedTest(name = "vocabulary {0}")
    @ValueSource(ints = {512, 32000})
    void piecesEncodeAsGpt2WhereverGpt2sTokensLieBelowTheCut(int vocabSize) {
        ByteLevelBpe cut = Gpt2Tokenizers.firstTokens(R50k.tokenizer(), vocabSize);
        int endOfText = vocabSize - 1;
        Set<String> pieces = new LinkedHashSet<>(PreTokenizer.GPT2.split(Shared.text("corpora/tinyshakespeare.txt")));
        int same = 0;
        int beyond = 0;
        for (String piece : pieces) {
            int[] gpt2 = R50K.encodeOrdinary(piece).toArray();
            int[] ours = cut.encode(piece);
            assertThat(cut.decode(ours)).as("round trip of %s", piece).isEqualTo(piece);
            if (Arrays.stream(gpt2).allMatch(id -> id < endOfText)) {
                assertThat(ours).as("ids of %s", piece).containsExactly(gpt2);
                same++;
            } else {
                // merging stopped early: never the end-of-text id, never fewer tokens
                assertThat(Arrays.stream(ours).max().orElseThrow()).as("ids of %s", piece).isLessThan(endOfText);
                assertThat(ours.length).as("tokens of %s", piece).isGreaterThan(gpt2.length);
                beyond++;
            }
        }
        assertThat(same).as("pieces compared with GPT-2").isGreaterThan(100);
        assertThat(beyond).as("pieces GPT-2 encodes past the cut").isGreaterThan(100);
    }

    @Test
    void linesOfTinyShakespeareRoundTripAndMostEncodeAsGpt2() {
        ByteLevelBpe cut = Gpt2Tokenizers.firstTokens(R50k.tokenizer(), 32000);
        String[] lines = Shared.text("corpora/tinyshakespeare.txt").split("\n");
        int same = 0;
        for (String line : lines) {
            int[] ours = cut.encode(line + "\n");
            assertThat(cut.decode(ours)).isEqualTo(line + "\n");
            int[] gpt2 = R50K.encodeOrdinary(line + "\n").toArray();
            if (Arrays.stream(gpt2).allMatch(id -> id < 31999)) {
                assertThat(ours).as("ids of %s", line).containsExactly(gpt2);
                same++;
            }
        }
        assertThat(same).as("lines all of whose GPT-2 tokens are below 31999").isGreaterThan(lines.length / 2);
    }

    @Test
    void theCutKeepsGpt2sFirstTokensAndEndsWithEndOfText() {
        ByteLevelBpe gpt2 = R50k.tokenizer();
        ByteLevelBpe cut = Gpt2Tokenizers.firstTokens(gpt2, 32000);
        assertThat(cut.vocabSize()).isEqualTo(32000);
        for (int id = 0; id < 31999; id++) {
            assertThat(cut.tokenBytes(id)).as("token %d", id).isEqualTo(gpt2.tokenBytes(id));
        }
        // GPT-2 makes every token past the 256 bytes by one merge of two tokens of lower id
        assertThat(cut.mergeCount()).isEqualTo(31999 - 256);
        assertThat(cut.eosId()).hasValue(31999);
        assertThat(cut.isSpecial(31999)).isTrue();
        assertThat(cut.encode("Hi<|endoftext|>")).endsWith(31999);
        assertThat(cut.piece(31999)).isEqualTo("<|endoftext|>");
    }

    @Test
    void aCutMustHoldEveryByteAndFitInGpt2() {
        ByteLevelBpe gpt2 = R50k.tokenizer();
        assertThatThrownBy(() -> Gpt2Tokenizers.firstTokens(gpt2, 256)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("257").hasMessageContaining("not 256");
        assertThatThrownBy(() -> Gpt2Tokenizers.firstTokens(gpt2, 50258)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not 50258");
        assertThat(Arrays.stream(Gpt2Tokenizers.firstTokens(gpt2, 257).encode("any text, ünïcödé 😀")).max().orElseThrow()).isLessThan(256);
    }
}
