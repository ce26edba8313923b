package dev.jgpt.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jgpt.format.FormatException;
import dev.jgpt.format.GgufArray;
import dev.jgpt.format.GgufMetadata;
import dev.jgpt.format.GgufType;
import dev.jgpt.format.GgufValue;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

/** GGUF tokenizer metadata: llama.cpp's defaults, and a clear error for every bad value, naming the file and key. */
class GgufTokenizersTest {
    private static final Path FILE = Path.of("vocab.gguf");

    /** A byte-level vocabulary: the 256 byte tokens, "he", and a control token; one merge. */
    private static Map<String, GgufValue> gpt2() {
        List<String> tokens = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            tokens.add(ByteUnicode.encode(new byte[] {(byte) b}));
        }
        tokens.add("he");
        tokens.add("<|end|>");
        int[] types = new int[tokens.size()];
        Arrays.fill(types, 1);
        types[types.length - 1] = 3;
        Map<String, GgufValue> m = new LinkedHashMap<>();
        m.put(GgufVocabulary.MODEL, new GgufValue.StringValue("gpt2"));
        m.put(GgufVocabulary.PRE, new GgufValue.StringValue("gpt-2"));
        m.put(GgufVocabulary.TOKENS, GgufArray.ofStrings(tokens));
        m.put(GgufVocabulary.TOKEN_TYPE, GgufArray.ofInt32(types));
        m.put(GgufVocabulary.MERGES, GgufArray.ofStrings(List.of("h e")));
        return m;
    }

    /** A SentencePiece vocabulary: unknown, BOS, EOS, the 256 byte tokens, "▁" and "a". */
    private static Map<String, GgufValue> llama() {
        List<String> tokens = new ArrayList<>(List.of("<unk>", "<s>", "</s>"));
        List<Integer> types = new ArrayList<>(List.of(2, 3, 3));
        for (int b = 0; b < 256; b++) {
            tokens.add(String.format("<0x%02X>", b));
            types.add(6);
        }
        tokens.addAll(List.of("▁", "a"));
        types.addAll(List.of(1, 1));
        Map<String, GgufValue> m = new LinkedHashMap<>();
        m.put(GgufVocabulary.MODEL, new GgufValue.StringValue("llama"));
        m.put(GgufVocabulary.TOKENS, GgufArray.ofStrings(tokens));
        m.put(GgufVocabulary.SCORES, GgufArray.ofFloats(new float[tokens.size()]));
        m.put(GgufVocabulary.TOKEN_TYPE, GgufArray.ofInt32(types.stream().mapToInt(Integer::intValue).toArray()));
        return m;
    }

    private static Tokenizer load(Map<String, GgufValue> metadata) {
        return GgufTokenizers.load(new GgufMetadata(FILE, metadata));
    }

    private static AbstractThrowableAssert<?, ?> assertFormatError(Map<String, GgufValue> metadata, String... parts) {
        return assertThatThrownBy(() -> load(metadata))
                .isInstanceOf(FormatException.class)
                .hasMessageStartingWith(FILE.toString())
                .hasMessageContainingAll(parts);
    }

    private static GgufValue u32(long value) {
        return new GgufValue.IntValue(GgufType.UINT32, value);
    }

    @Test
    void llamaTakesLlamaCppsDefaults() {
        Tokenizer spm = load(llama());
        assertThat(spm.bosId()).hasValue(1);
        assertThat(spm.eosId()).hasValue(2);
        assertThat(spm.addsBos()).isTrue();
        // not in the vocabulary: the bytes of "é" as byte tokens, after the dummy prefix
        assertThat(spm.decode(spm.encode("é"))).isEqualTo("é");
        Map<String, GgufValue> noPrefix = llama();
        noPrefix.put(GgufVocabulary.ADD_SPACE_PREFIX, new GgufValue.BoolValue(false));
        noPrefix.put(GgufVocabulary.ADD_BOS, new GgufValue.BoolValue(false));
        Tokenizer plain = load(noPrefix);
        assertThat(plain.addsBos()).isFalse();
        assertThat(plain.encodeSequence("a")).containsExactly(plain.encode("a"));
        assertThat(plain.encode(" a")).hasSizeGreaterThan(plain.encode("a").length);
    }

    @Test
    void gpt2AddsNoBosButLlamaBpeDoes() {
        Map<String, GgufValue> m = gpt2();
        m.put(GgufVocabulary.BOS_ID, u32(257));
        assertThat(load(m).addsBos()).isFalse();
        m.put(GgufVocabulary.PRE, new GgufValue.StringValue("llama-bpe"));
        Tokenizer llama3 = load(m);
        assertThat(llama3.addsBos()).isTrue();
        assertThat(llama3.encodeSequence("he")).startsWith(257).endsWith(llama3.encode("he"));
        assertThat(((ByteLevelBpe) llama3).options().ignoreMerges()).isTrue();
        // tokenizer.json is written in GPT-2's layout, which cannot say any of this
        assertThatThrownBy(() -> TokenizerJson.write(llama3, Path.of("never-written.json")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("LLAMA3");
        m.put(GgufVocabulary.ADD_BOS, new GgufValue.BoolValue(false));
        assertThat(load(m).addsBos()).isFalse();
    }

    @Test
    void controlTokensAreMatchedWholeOnlyWhenAskedAndPrintNothing() {
        Tokenizer t = load(gpt2());
        assertThat(t.encode("<|end|>")).containsExactly(257);
        assertThat(t.encodeOrdinary("<|end|>")).doesNotContain(257);
        assertThat(t.isSpecial(257)).isTrue();
        assertThat(t.tokenBytes(257)).isEmpty();
        assertThat(t.piece(257)).isEqualTo("<|end|>");
        assertThat(t.decode(t.encode("a<|end|>b"))).isEqualTo("ab");
    }

    @Test
    void unknownModelListsTheSupportedOnes() {
        Map<String, GgufValue> m = gpt2();
        m.put(GgufVocabulary.MODEL, new GgufValue.StringValue("bert"));
        assertFormatError(m, "tokenizer.ggml.model", "'bert'", "llama, gpt2");
    }

    @Test
    void unknownOrMissingPreTokenizerListsTheKnownOnes() {
        Map<String, GgufValue> m = gpt2();
        m.put(GgufVocabulary.PRE, new GgufValue.StringValue("no-such-pre"));
        assertFormatError(m, "tokenizer.ggml.pre is 'no-such-pre', which jgpt does not know; known: gpt-2, phi-2,", "smollm", "kimi-k2", "superbpe");
        m.put(GgufVocabulary.PRE, new GgufValue.StringValue("gemma4"));
        assertFormatError(m, "tokenizer.ggml.pre is 'gemma4', a BPE over raw UTF-8 that jgpt does not read");
        m.remove(GgufVocabulary.PRE);
        assertFormatError(m, "no tokenizer.ggml.pre", "gpt-2, phi-2,", "llama-bpe", "qwen2");
    }

    @Test
    void everyNameLlamaCppGivesAPreTokenizerReadsAndTakesItsFlags() {
        Map<String, GgufValue> m = gpt2();
        m.put(GgufVocabulary.BOS_ID, u32(257));
        for (PreTokenizer pre : PreTokenizer.values()) {
            for (String name : pre.ggufNames()) {
                m.put(GgufVocabulary.PRE, new GgufValue.StringValue(name));
                ByteLevelBpe tokenizer = (ByteLevelBpe) load(m);
                assertThat(tokenizer.options().preTokenizer()).as(name).isEqualTo(pre);
                assertThat(tokenizer.options().ignoreMerges()).as(name).isEqualTo(pre.ignoresMerges());
                assertThat(tokenizer.encodeSequence("he")).as(name).startsWith(pre.addsBos() ? new int[] {257} : new int[] {256});
            }
        }
        assertThat(PreTokenizer.ofGgufName("tekken")).get().extracting(PreTokenizer::ignoresMerges, PreTokenizer::addsBos).containsExactly(true, true);
        assertThat(PreTokenizer.ofGgufName("chameleon")).get().extracting(PreTokenizer::ignoresMerges, PreTokenizer::addsBos).containsExactly(false, true);
        assertThat(PreTokenizer.ofGgufName("smaug-bpe")).get().extracting(PreTokenizer::ignoresMerges, PreTokenizer::addsBos).containsExactly(false, false);
    }

    @Test
    void missingOrBadMerges() {
        Map<String, GgufValue> m = gpt2();
        m.remove(GgufVocabulary.MERGES);
        assertFormatError(m, "no tokenizer.ggml.merges");
        m.put(GgufVocabulary.MERGES, GgufArray.ofStrings(List.of("h e", "he x!")));
        assertFormatError(m, "tokenizer.ggml.merges[1]", "'x!'");
        m.put(GgufVocabulary.MERGES, GgufArray.ofStrings(List.of("he")));
        assertFormatError(m, "tokenizer.ggml.merges[0]", "expected two tokens separated by a space");
    }

    @Test
    void idsOutsideTheVocabulary() {
        Map<String, GgufValue> m = llama();
        m.put(GgufVocabulary.BOS_ID, u32(300));
        assertFormatError(m, "tokenizer.ggml.bos_token_id is 300", "0 to 260");
        Map<String, GgufValue> g = gpt2();
        g.put(GgufVocabulary.ADD_BOS, new GgufValue.BoolValue(true));
        assertFormatError(g, "tokenizer.ggml.add_bos_token", "no tokenizer.ggml.bos_token_id");
    }

    @Test
    void arraysOfTheWrongLengthOrType() {
        Map<String, GgufValue> m = llama();
        m.put(GgufVocabulary.SCORES, GgufArray.ofFloats(new float[3]));
        assertFormatError(m, "tokenizer.ggml.scores has 3 entries for 261 tokens");
        m = llama();
        m.put(GgufVocabulary.TOKEN_TYPE, GgufArray.ofInt32(1, 1));
        assertFormatError(m, "tokenizer.ggml.token_type has 2 entries for 261 tokens");
        m = llama();
        m.put(GgufVocabulary.TOKENS, GgufArray.ofInt32(1, 2, 3));
        assertFormatError(m, "tokenizer.ggml.tokens");
        m.remove(GgufVocabulary.TOKENS);
        assertFormatError(m, "tokenizer.ggml.tokens");
    }

    @Test
    void aByteTokenNotWrittenAsAByte() {
        Map<String, GgufValue> m = llama();
        List<String> tokens = new ArrayList<>(((GgufArray) m.get(GgufVocabulary.TOKENS)).strings());
        tokens.set(3, "<0xZZ>");
        m.put(GgufVocabulary.TOKENS, GgufArray.ofStrings(tokens));
        assertFormatError(m, "token 3", "'<0xZZ>'", "<0xNN>");
    }

    @Test
    void ignoringMergesReachesEveryTokenThatIsAWholePiece() {
        ByteLevelBpe gpt2 = (ByteLevelBpe) TokenizerLoader.fromGguf(Shared.path("tokenizer/ggml-vocab-gpt-2.gguf"));
        // without merges, only the option can reach a token longer than a byte
        BpeModel noMerges = new BpeModel(gpt2.model().tokens(), List.of(), gpt2.model().specials());
        ByteLevelBpe whole = new ByteLevelBpe(noMerges, new ByteLevelBpe.Options(PreTokenizer.GPT2, true, SequenceMarkers.NONE, Set.of()));
        ByteLevelBpe bytes = new ByteLevelBpe(noMerges);
        int checked = 0;
        for (int id = 0; id < gpt2.vocabSize(); id++) {
            String text = new String(gpt2.tokenBytes(id), StandardCharsets.UTF_8);
            if (gpt2.isSpecial(id) || !Arrays.equals(text.getBytes(StandardCharsets.UTF_8), gpt2.tokenBytes(id))
                    || PreTokenizer.GPT2.split(text).size() != 1) {
                continue; // a special token, a cut character, or a token the regex would cut
            }
            checked++;
            assertThat(whole.encodeOrdinary(text)).as("token %d \"%s\"", id, text).containsExactly(id);
            assertThat(bytes.encodeOrdinary(text)).hasSize(gpt2.tokenBytes(id).length);
        }
        assertThat(checked).isGreaterThan(40000);
    }
}
