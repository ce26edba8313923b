package dev.jgpt.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jgpt.format.FormatException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad files give a FormatException whose message names the file and what is wrong. */
class TokenizerErrorsTest {
    @TempDir
    Path dir;

    /** A minimal byte-level tokenizer.json: the 256 byte tokens, then {@code extra} tokens, and {@code merges}. */
    private static ObjectNode tokenizerJson(String[] extra, String... merges) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.putObject("pre_tokenizer").put("type", "ByteLevel").put("add_prefix_space", false);
        ObjectNode model = root.putObject("model").put("type", "BPE");
        ObjectNode vocab = model.putObject("vocab");
        for (int b = 0; b < 256; b++) {
            vocab.put(ByteUnicode.encode(new byte[] {(byte) b}), b);
        }
        for (String token : extra) {
            vocab.put(token, vocab.size());
        }
        ArrayNode list = model.putArray("merges");
        for (String merge : merges) {
            list.add(merge);
        }
        return root;
    }

    private Path write(String name, Object json) throws IOException {
        Path file = dir.resolve(name);
        if (json instanceof String text) {
            Files.writeString(file, text);
        } else {
            Json.MAPPER.writeValue(file.toFile(), json);
        }
        return file;
    }

    private static AbstractThrowableAssert<?, ?> assertFormatError(Runnable load, Path file) {
        return assertThatThrownBy(load::run)
                .isInstanceOf(FormatException.class)
                .hasMessageContaining(file.getFileName().toString())
                .satisfies(e -> assertThat(((FormatException) e).file()).isEqualTo(file));
    }

    @Test
    void aWellFormedMiniatureLoads() throws IOException {
        // the fixture itself is valid, so the errors below come from what each test breaks
        Path file = write("tokenizer.json", tokenizerJson(new String[] {"ab", "abc"}, "a b", "ab c"));
        Tokenizer tokenizer = TokenizerJson.read(file);
        assertThat(tokenizer.vocabSize()).isEqualTo(258);
        assertThat(tokenizer.decode(tokenizer.encode("abcab c"))).isEqualTo("abcab c");
        assertThat(tokenizer.encode("abc")).hasSize(1);
    }

    @Test
    void malformedJson() throws IOException {
        Path file = write("tokenizer.json", "{\"model\": {\"vocab\": {\"a\": 0,, }}");
        assertFormatError(() -> TokenizerJson.read(file), file).hasMessageContaining("not valid JSON").hasMessageContaining("line 1");
    }

    @Test
    void emptyFile() throws IOException {
        Path file = write("tokenizer.json", "");
        assertFormatError(() -> TokenizerJson.read(file), file).hasMessageContaining("empty");
    }

    @Test
    void missingModelOrVocabOrMerges() throws IOException {
        Path noModel = write("no-model.json", "{\"version\": \"1.0\"}");
        assertFormatError(() -> TokenizerJson.read(noModel), noModel).hasMessageContaining("missing model");

        ObjectNode json = tokenizerJson(new String[0]);
        ((ObjectNode) json.get("model")).remove("vocab");
        Path noVocab = write("no-vocab.json", json);
        assertFormatError(() -> TokenizerJson.read(noVocab), noVocab).hasMessageContaining("model.vocab");

        json = tokenizerJson(new String[0]);
        ((ObjectNode) json.get("model")).remove("merges");
        Path noMerges = write("no-merges.json", json);
        assertFormatError(() -> TokenizerJson.read(noMerges), noMerges).hasMessageContaining("model.merges");
    }

    @Test
    void aMergeNamingAnUnknownToken() throws IOException {
        Path file = write("tokenizer.json", tokenizerJson(new String[] {"ab"}, "a b", "ab zz"));
        assertFormatError(() -> TokenizerJson.read(file), file).hasMessageContaining("model.merges[1]").hasMessageContaining("'zz'");
    }

    @Test
    void aMergeWhoseResultIsNotInTheVocabulary() throws IOException {
        Path file = write("tokenizer.json", tokenizerJson(new String[] {"ab"}, "a b", "b c"));
        assertFormatError(() -> TokenizerJson.read(file), file).hasMessageContaining("'bc'").hasMessageContaining("model.merges[1]");
    }

    @Test
    void aMalformedMergeEntry() throws IOException {
        Path file = write("tokenizer.json", tokenizerJson(new String[] {"ab"}, "a b c"));
        assertFormatError(() -> TokenizerJson.read(file), file).hasMessageContaining("model.merges[0]");
    }

    @Test
    void aVocabularyWithoutEveryByte() throws IOException {
        ObjectNode json = tokenizerJson(new String[0]);
        ((ObjectNode) json.get("model").get("vocab")).remove("Ġ");
        Path file = write("tokenizer.json", json);
        assertFormatError(() -> TokenizerJson.read(file), file).hasMessageContaining("0x20");
    }

    @Test
    void aNonIntegerId() throws IOException {
        ObjectNode json = tokenizerJson(new String[0]);
        ((ObjectNode) json.get("model").get("vocab")).put("xyz", "seven");
        Path file = write("tokenizer.json", json);
        assertFormatError(() -> TokenizerJson.read(file), file).hasMessageContaining("xyz");
        ((ObjectNode) json.get("model").get("vocab")).put("xyz", 2_000_000_000);
        Path huge = write("huge-id.json", json);
        assertFormatError(() -> TokenizerJson.read(huge), huge).hasMessageContaining("xyz").hasMessageContaining("2000000000");
    }

    @Test
    void unsupportedSettingsAreRefusedNotIgnored() throws IOException {
        ObjectNode json = tokenizerJson(new String[0]);
        json.putObject("normalizer").put("type", "NFC");
        Path normalizer = write("normalizer.json", json);
        assertFormatError(() -> TokenizerJson.read(normalizer), normalizer).hasMessageContaining("normalizer 'NFC'");

        json = tokenizerJson(new String[0]);
        ((ObjectNode) json.get("pre_tokenizer")).put("add_prefix_space", true);
        Path prefix = write("prefix.json", json);
        assertFormatError(() -> TokenizerJson.read(prefix), prefix).hasMessageContaining("add_prefix_space");

        json = tokenizerJson(new String[0]);
        json.putObject("pre_tokenizer").put("type", "Metaspace");
        Path metaspace = write("metaspace.json", json);
        assertFormatError(() -> TokenizerJson.read(metaspace), metaspace).hasMessageContaining("Metaspace");

        json = tokenizerJson(new String[0]);
        ((ObjectNode) json.get("model")).put("type", "WordPiece");
        Path wordPiece = write("wordpiece.json", json);
        assertFormatError(() -> TokenizerJson.read(wordPiece), wordPiece).hasMessageContaining("WordPiece");
    }

    @Test
    void unreadableFiles() throws IOException {
        Path missing = dir.resolve("missing.json");
        assertFormatError(() -> TokenizerJson.read(missing), missing).hasMessageContaining("no such file");
        Path folder = Files.createDirectory(dir.resolve("a-folder.json"));
        assertFormatError(() -> TokenizerJson.read(folder), folder).hasMessageContaining("cannot read");
        Path merges = write("merges.txt", "#version: 0.2\n");
        assertFormatError(() -> TokenizerLoader.fromVocabAndMerges(missing, merges), missing);
    }

    @Test
    void mergesTxtProblemsNameTheLine() throws IOException {
        Path vocab = write("vocab.json", tokenizerJson(new String[] {"ab"}).get("model").get("vocab"));
        Path badLine = write("merges.txt", "#version: 0.2\na b\nab\n");
        assertFormatError(() -> TokenizerLoader.fromVocabAndMerges(vocab, badLine), badLine).hasMessageContaining("line 3");
        Path unknown = write("unknown-merges.txt", "#version: 0.2\na b\nab qq\n");
        assertFormatError(() -> TokenizerLoader.fromVocabAndMerges(vocab, unknown), unknown)
                .hasMessageContaining("line 3").hasMessageContaining("'qq'").hasMessageContaining("vocab.json");
        Path latin1 = dir.resolve("latin1-merges.txt");
        Files.write(latin1, "a \u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        assertFormatError(() -> TokenizerLoader.fromVocabAndMerges(vocab, latin1), latin1).hasMessageContaining("UTF-8");
        Path noResult = write("no-result-merges.txt", "#version: 0.2\n\na b\nb c\n");
        assertFormatError(() -> TokenizerLoader.fromVocabAndMerges(vocab, noResult), noResult)
                .hasMessageContaining("line 4").hasMessageContaining("'bc'");
        Path fine = write("fine-merges.txt", "#version: 0.2\na b\n");
        assertThat(TokenizerLoader.fromVocabAndMerges(vocab, fine).mergeCount()).isEqualTo(1);
    }

    @Test
    void tiktokenProblemsNameTheLine() {
        byte[] bad = "IQ== 0\nnot-base64! 1\n".getBytes(StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> TokenizerLoader.fromTiktoken(new ByteArrayInputStream(bad), "bad.tiktoken", Map.of()))
                .isInstanceOf(FormatException.class).hasMessageContaining("bad.tiktoken").hasMessageContaining("line 2");
        byte[] twice = "IQ== 0\nIg== 0\n".getBytes(StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> TokenizerLoader.fromTiktoken(new ByteArrayInputStream(twice), "twice.tiktoken", Map.of()))
                .isInstanceOf(FormatException.class).hasMessageContaining("twice.tiktoken").hasMessageContaining("rank 0");
    }

    @Test
    void aFolderWithoutTokenizerFiles() throws IOException {
        Path model = Files.createDirectory(dir.resolve("my-model"));
        Files.writeString(model.resolve("vocab.json"), "{}"); // merges.txt missing
        assertFormatError(() -> TokenizerLoader.fromDirectory(model), model)
                .hasMessageContaining("tokenizer.json").hasMessageContaining("merges.txt");
        Path notThere = dir.resolve("not-there");
        assertFormatError(() -> TokenizerLoader.fromDirectory(notThere), notThere).hasMessageContaining("not a folder");
    }

    @Test
    void errorsInAFolderNameTheFileAtFault() throws IOException {
        Path model = Files.createDirectory(dir.resolve("model"));
        Files.writeString(model.resolve("tokenizer.json"), "[1, 2");
        Path file = model.resolve("tokenizer.json");
        assertFormatError(() -> TokenizerLoader.fromDirectory(model), file).hasMessageContaining("model");
    }
}
