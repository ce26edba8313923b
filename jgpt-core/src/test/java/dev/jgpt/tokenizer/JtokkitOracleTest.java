package dev.jgpt.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** jtokkit's r50k_base (GPT-2's encoding, an independent implementation) as the oracle. */
class JtokkitOracleTest {
    private static final Encoding R50K = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.R50K_BASE);
    private static ByteLevelBpe fromTiktoken;

    @BeforeAll
    static void loadTiktokenResource() throws IOException {
        try (InputStream in = Encoding.class.getResourceAsStream("/com/knuddels/jtokkit/r50k_base.tiktoken")) {
            assertThat(in).as("jtokkit's r50k_base.tiktoken resource").isNotNull();
            fromTiktoken = Gpt2Tokenizers.fromTiktokenResource(in);
        }
    }

    /** Texts that stress the regex and the byte handling; inputs only, the expectations come from jtokkit. */
    static final List<String> TRICKY = List.of(
            "Hello world", " Hello  world ", "HELLO'S it's we'RE they've I'm you'll he'd 'tis",
            "   leading and trailing spaces   ", "tabs\tand\nnewlines\r\n\r\n\n\n  \n\t\t x",
            "no\u00A0break\u2003em\u3000ideographic\u2028line\u2029para\u0085nel",
            "numbers 3 33 333 3333 1234567890 1,000,000.50 ٣٤٥ ⅫⅦ ²³ ½",
            "emoji 😀😃😄 👩‍👩‍👧‍👦 🏳️‍🌈 ✅ ❤️ 👍🏽", "CJK 中文字符 日本語のテキスト 한국어 텍스트",
            "Cyrillic Привет мир, Greek Καλημέρα, Arabic مرحبا بالعالم, Hebrew שלום",
            "Devanagari नमस्ते दुनिया, Thai สวัสดีชาวโลก, Khmer ព្រះរាជាណាចក្រកម្ពុជា",
            "combining e\u0301 a\u0308 n\u0303 Z\u0335\u0321a\u0336l\u0337g\u0338o",
            "punctuation!!! ??? ... --- ___ *** ((())) [[]] {{}} <<>> @@ ## $$ %% ^^ && ~~",
            "code: for (int i = 0; i < n; i++) { sum += a[i] * b[i]; } // done",
            "mixed123abc456 abc123 123abc a1b2c3 x_y_z CamelCaseWord snake_case_word",
            "\u0000\u0001\u001f\u007f control \uFEFF bom \uFFFD replacement",
            "                                                                 many spaces",
            "'s's's ''' '' 's 'S 'll'LL", "a\n\n\nb\n \n \nc \n", "");

    @Test
    void tinyShakespeareEncodesExactlyAsJtokkit() {
        String text = Shared.text("corpora/tinyshakespeare.txt");
        ByteLevelBpe gpt2 = Shared.gpt2();
        int[] ours = gpt2.encode(text);
        Ids.assertSameIds("tinyshakespeare", ours, R50K.encodeOrdinary(text).toArray(), gpt2);
        assertThat(gpt2.decode(ours)).isEqualTo(text);
    }

    @Test
    void trickyStringsEncodeExactlyAsJtokkit() {
        ByteLevelBpe gpt2 = Shared.gpt2();
        for (String text : TRICKY) {
            Ids.assertSameIds(text, gpt2.encode(text), R50K.encodeOrdinary(text).toArray(), gpt2);
            assertThat(gpt2.decode(gpt2.encode(text))).isEqualTo(text);
        }
    }

    @Test
    void randomMixturesEncodeExactlyAsJtokkit() {
        ByteLevelBpe gpt2 = Shared.gpt2();
        String alphabet = String.join("", TRICKY) + "'''''     \n\n\t";
        int[] codePoints = alphabet.codePoints().toArray();
        Random random = new Random(42);
        for (int round = 0; round < 300; round++) {
            StringBuilder sb = new StringBuilder();
            int length = random.nextInt(200);
            for (int i = 0; i < length; i++) {
                sb.appendCodePoint(codePoints[random.nextInt(codePoints.length)]);
            }
            String text = sb.toString();
            Ids.assertSameIds("random text " + round, gpt2.encode(text), R50K.encodeOrdinary(text).toArray(), gpt2);
        }
    }

    @Test
    void tiktokenRanksGiveTheSameTokenizerAsVocabAndMerges() {
        ByteLevelBpe gpt2 = Shared.gpt2();
        assertThat(fromTiktoken.vocabSize()).isEqualTo(gpt2.vocabSize());
        for (int id = 0; id < gpt2.vocabSize(); id++) {
            assertThat(fromTiktoken.tokenBytes(id)).as("bytes of token %d", id).isEqualTo(gpt2.tokenBytes(id));
        }
        assertThat(fromTiktoken.model().merges()).as("merges derived from ranks")
                .containsExactlyElementsOf(gpt2.model().merges());
        assertThat(fromTiktoken.eosId()).isEqualTo(gpt2.eosId());
        assertThat(fromTiktoken.specialTokens()).isEqualTo(gpt2.specialTokens());
        String text = Shared.text("corpora/tinyshakespeare.txt").substring(0, 200_000) + String.join("|", TRICKY);
        Ids.assertSameIds("tinyshakespeare via tiktoken ranks", fromTiktoken.encode(text), gpt2.encode(text), gpt2);
    }

    @Test
    void tiktokenTokenizerAgreesWithJtokkitWithoutSharedData() {
        // runs even where ../shared is absent
        for (String text : TRICKY) {
            Ids.assertSameIds(text, fromTiktoken.encode(text), R50K.encodeOrdinary(text).toArray(), fromTiktoken);
        }
        assertThat(fromTiktoken.decode(R50K.encodeOrdinary(TRICKY.get(7)).toArray())).isEqualTo(TRICKY.get(7));
    }
}
