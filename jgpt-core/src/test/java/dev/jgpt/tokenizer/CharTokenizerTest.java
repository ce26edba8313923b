package dev.jgpt.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jgpt.JgptException;
import dev.jgpt.format.FormatException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CharTokenizerTest {
    @TempDir
    Path dir;

    private static String characters(Tokenizer tokenizer) {
        return IntStream.range(0, tokenizer.vocabSize()).mapToObj(tokenizer::piece).collect(Collectors.joining());
    }

    @Test
    void tinyShakespeareHasNanoGptsVocabulary() {
        String text = Shared.text("corpora/tinyshakespeare.txt");
        CharTokenizer tokenizer = CharTokenizer.fromCorpus(text);
        // nanoGPT's shakespeare_char prepare.py and the "Let's build GPT" notebook print these
        assertThat(tokenizer.vocabSize()).isEqualTo(65);
        assertThat(characters(tokenizer)).isEqualTo("\n !$&',-.3:;?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
        assertThat(tokenizer.encode("hii there")).containsExactly(46, 47, 47, 1, 58, 46, 43, 56, 43);
        int[] ids = tokenizer.encode(text);
        assertThat(ids).hasSize(text.length());
        assertThat(tokenizer.decode(ids)).isEqualTo(text);
    }

    @Test
    void charactersAreCodePointsSortedAndAnyOfThemRoundTrips() {
        CharTokenizer tokenizer = CharTokenizer.fromCorpus("b😀a\né a");
        assertThat(characters(tokenizer)).isEqualTo("\n ab\u00e9😀");
        assertThat(tokenizer.encode("a😀\n")).containsExactly(2, 5, 0);
        assertThat(tokenizer.tokenBytes(5)).hasSize(4);
        assertThat(tokenizer.codePoint(5)).isEqualTo(0x1F600);
        assertThat(tokenizer.decode(tokenizer.encode("éa b😀😀"))).isEqualTo("éa b😀😀");
        assertThat(tokenizer.decode(new int[] {0, 1, 2, 3}, 1, 3)).isEqualTo(" a");
        assertThat(tokenizer.eosId()).isEmpty();
        assertThat(tokenizer.encodeOrdinary("ab")).containsExactly(2, 3);
    }

    @Test
    void anUnknownCharacterIsAnErrorNamingIt() {
        CharTokenizer tokenizer = CharTokenizer.fromCorpus("abc\n");
        assertThatThrownBy(() -> tokenizer.encode("abzc")).isInstanceOf(JgptException.class)
                .hasMessageContaining("'z'").hasMessageContaining("U+007A").hasMessageContaining("index 2");
        assertThatThrownBy(() -> tokenizer.encode("a\tb")).isInstanceOf(JgptException.class).hasMessageContaining("'\\t' (U+0009)");
        assertThatThrownBy(() -> tokenizer.decode(new int[] {4})).isInstanceOf(JgptException.class).hasMessageContaining("token id 4");
        assertThatThrownBy(() -> CharTokenizer.fromCorpus("")).isInstanceOf(JgptException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> CharTokenizer.of(new int[] {'a', 'b', 'a'})).hasMessageContaining("two ids");
    }

    @Test
    void tokenizerJsonWrittenThenReadIsTheSameTokenizer() {
        CharTokenizer tokenizer = CharTokenizer.fromCorpus("Hello, world!\n😀 \"quoted\" \\ back\tslash é");
        Path file = dir.resolve("tokenizer.json");
        TokenizerJson.write(tokenizer, file);
        JsonNode root = Json.read(file);
        assertThat(root.at("/model/type").asText()).isEqualTo("BPE");
        assertThat(root.at("/model/merges").isEmpty()).isTrue();
        assertThat(root.get("pre_tokenizer").isNull()).isTrue();
        assertThat(root.at("/decoder/type").asText()).isEqualTo("Fuse");
        Tokenizer loaded = TokenizerLoader.fromDirectory(dir);
        assertThat(loaded).isInstanceOf(CharTokenizer.class);
        assertThat(characters(loaded)).isEqualTo(characters(tokenizer));
        String text = "world, Hello! 😀\\é\t\"";
        assertThat(loaded.encode(text)).isEqualTo(tokenizer.encode(text));
    }

    @Test
    void characterLevelFilesThatJgptCannotHonourAreRefused() throws IOException {
        assertRefused(root -> ((ObjectNode) root.get("decoder")).put("type", "ByteLevel"), "decoder is 'ByteLevel'");
        assertRefused(root -> root.remove("decoder"), "decoder is none");
        assertRefused(root -> root.withArray("/model/merges").add("a b"), "model.merges has 1");
        assertRefused(root -> ((ObjectNode) root.get("model")).put("unk_token", "a"), "unk_token");
        assertRefused(root -> root.withArray("/added_tokens").addObject().put("id", 3).put("content", "<s>"), "added_tokens");
        assertRefused(root -> ((ObjectNode) root.at("/model/vocab")).put("ab", 3), "'ab'");
        assertRefused(root -> ((ObjectNode) root.at("/model/vocab")).put("c", 7), "id 7");
        assertRefused(root -> root.putObject("normalizer").put("type", "NFC"), "normalizer 'NFC'");
    }

    private void assertRefused(Consumer<ObjectNode> breakIt, String message) throws IOException {
        ObjectNode root = CharTokenizerJson.toJson(CharTokenizer.fromCorpus("abc"));
        breakIt.accept(root);
        Path file = dir.resolve("broken.json");
        Json.MAPPER.writeValue(file.toFile(), root);
        assertThatThrownBy(() -> TokenizerJson.read(file)).isInstanceOf(FormatException.class)
                .hasMessageContaining("broken.json").hasMessageContaining(message);
    }
}
