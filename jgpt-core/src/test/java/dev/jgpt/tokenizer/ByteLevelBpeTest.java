package dev.jgpt.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jgpt.JgptException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class ByteLevelBpeTest {
    private static final String EOT = ByteLevelBpe.END_OF_TEXT;

    @Test
    void endOfTextIsTheOneSpecialToken() {
        ByteLevelBpe gpt2 = Shared.gpt2();
        int eos = gpt2.eosId().orElseThrow();
        assertThat(eos).isEqualTo(Gpt2Tokenizers.END_OF_TEXT_ID);
        assertThat(gpt2.specialId(EOT)).hasValue(eos);
        assertThat(gpt2.specialId("<|startoftext|>")).isEmpty();
        assertThat(gpt2.isSpecial(eos)).isTrue();
        assertThat(IntStream.range(0, gpt2.vocabSize()).filter(gpt2::isSpecial)).containsExactly(eos);
        assertThat(gpt2.vocabSize()).isEqualTo(eos + 1);
        assertThat(gpt2.tokenBytes(eos)).isEqualTo(EOT.getBytes(StandardCharsets.UTF_8));
        assertThat(gpt2.piece(eos)).isEqualTo(EOT);
    }

    @Test
    void encodeRecognisesSpecialTokensAndEncodeOrdinaryDoesNot() {
        ByteLevelBpe gpt2 = R50k.tokenizer();
        int eos = gpt2.eosId().orElseThrow();
        String text = "Hello world" + EOT + " Next document" + EOT;
        int[] expected = IntStream.concat(IntStream.concat(IntStream.of(gpt2.encodeOrdinary("Hello world")), IntStream.of(eos)),
                IntStream.concat(IntStream.of(gpt2.encodeOrdinary(" Next document")), IntStream.of(eos))).toArray();
        assertThat(gpt2.encode(text)).containsExactly(expected);
        assertThat(gpt2.encodeOrdinary(text)).doesNotContain(eos);
        assertThat(gpt2.decode(gpt2.encode(text))).isEqualTo(text);
        assertThat(gpt2.decode(gpt2.encodeOrdinary(text))).isEqualTo(text);
    }

    @Test
    void addedSpecialTokensBeyondTheVocabularyLongestFirst() {
        ByteLevelBpe base = R50k.tokenizer();
        int eos = base.eosId().orElseThrow();
        Map<String, Integer> specials = new HashMap<>(base.specialTokens());
        specials.put("<|im_start|>", base.vocabSize());
        specials.put("<|im", base.vocabSize() + 1); // a prefix of another special: the longer one must win
        ByteLevelBpe chat = new ByteLevelBpe(new BpeModel(base.model().tokens(), base.model().merges(), specials));
        assertThat(chat.vocabSize()).isEqualTo(base.vocabSize() + 2);
        String text = "<|im_start|>user hi<|endoftext|><|im";
        int[] expected = IntStream.concat(IntStream.concat(IntStream.of(base.vocabSize()), IntStream.of(base.encodeOrdinary("user hi"))),
                IntStream.of(eos, base.vocabSize() + 1)).toArray();
        assertThat(chat.encode(text)).containsExactly(expected);
        assertThat(chat.decode(chat.encode(text))).isEqualTo(text);
        assertThat(chat.encodeOrdinary(text)).isEqualTo(base.encodeOrdinary(text));
        assertThat(chat.piece(base.vocabSize())).isEqualTo("<|im_start|>");
    }

    @Test
    void decodeOfARangeAndOfBrokenUtf8() {
        ByteLevelBpe gpt2 = R50k.tokenizer();
        int[] ids = gpt2.encode("say 😀 twice 😀");
        assertThat(gpt2.decode(ids, 0, ids.length)).isEqualTo(gpt2.decode(ids));
        assertThat(gpt2.decode(ids, 0, 0)).isEmpty();
        // cutting the first emoji's tokens leaves bytes that are not UTF-8: they decode as U+FFFD
        int firstCut = IntStream.range(1, ids.length).filter(i -> !gpt2.decode(ids, 0, i).equals(gpt2.decode(ids, 0, i).replace("\uFFFD", "")))
                .findFirst().orElseThrow();
        assertThat(gpt2.decode(ids, 0, firstCut)).endsWith("\uFFFD");
        assertThatThrownBy(() -> gpt2.decode(new int[] {gpt2.vocabSize()})).isInstanceOf(JgptException.class)
                .hasMessageContaining(String.valueOf(gpt2.vocabSize()));
        assertThatThrownBy(() -> gpt2.tokenBytes(-1)).isInstanceOf(JgptException.class);
    }

    @Test
    void pieceIsTheTokenTextOrShowsItsBytes() {
        ByteLevelBpe gpt2 = R50k.tokenizer();
        Pattern showsBytes = Pattern.compile(".*<0x[0-9A-F]{2}>.*", Pattern.DOTALL);
        int[] broken = IntStream.range(0, gpt2.vocabSize()).filter(id -> !isUtf8(gpt2.tokenBytes(id))).toArray();
        assertThat(broken).as("GPT-2 has tokens holding part of a character").isNotEmpty();
        assertThat(IntStream.of(broken).filter(id -> !showsBytes.matcher(gpt2.piece(id)).matches() || gpt2.piece(id).contains("\uFFFD")))
                .as("cut tokens whose piece does not show their bytes").isEmpty();
        assertThat(IntStream.range(0, gpt2.vocabSize())
                        .filter(id -> isUtf8(gpt2.tokenBytes(id)) && !gpt2.piece(id).equals(gpt2.decode(new int[] {id}))))
                .as("whole tokens whose piece is not their text").isEmpty();
        assertThat(gpt2.piece(gpt2.encode(" Hello")[0])).isEqualTo(" Hello");
    }

    private static boolean isUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** Guards against quadratic merging on long words; not a speed measurement (those live in jgpt-bench). */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void longWordsWithoutSpacesEncode() {
        ByteLevelBpe gpt2 = R50k.tokenizer();
        StringBuilder letters = new StringBuilder();
        Random random = new Random(3);
        for (int i = 0; i < 300_000; i++) {
            letters.append((char) ('a' + random.nextInt(26)));
        }
        for (String text : new String[] {"a".repeat(300_000), letters.toString(), "7".repeat(100_000), " ".repeat(100_000) + "x"}) {
            int[] ids = gpt2.encode(text);
            assertThat(gpt2.decode(ids)).isEqualTo(text);
            assertThat(ids.length).isLessThan(text.length());
        }
    }

    @Test
    void sharedBetweenThreadsGivesTheSameIds() throws Exception {
        ByteLevelBpe gpt2;
        try (var in = getClass().getResourceAsStream("/com/knuddels/jtokkit/r50k_base.tiktoken")) {
            gpt2 = Gpt2Tokenizers.fromTiktokenResource(in); // a fresh one: its cache starts empty
        }
        StringBuilder sb = new StringBuilder();
        Random random = new Random(5);
        while (sb.length() < 200_000) {
            sb.append(JtokkitOracleTest.TRICKY.get(random.nextInt(JtokkitOracleTest.TRICKY.size()))).append(random.nextInt(1000));
        }
        String text = sb.toString();
        int[] expected = R50k.tokenizer().encode(text);
        var results = IntStream.range(0, 4).parallel().mapToObj(i -> gpt2.encode(text)).toList();
        for (int[] ids : results) {
            assertThat(ids).isEqualTo(expected);
        }
    }
}
