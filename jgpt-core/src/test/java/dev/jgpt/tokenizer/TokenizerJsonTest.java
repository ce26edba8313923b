package dev.jgpt.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizerJsonTest {
    @TempDir
    Path dir;

    /** About 100k characters of varied text, with an end-of-text marker; needs no shared data. */
    private static String sample() {
        StringBuilder sb = new StringBuilder();
        Random random = new Random(11);
        while (sb.length() < 100_000) {
            sb.append(JtokkitOracleTest.TRICKY.get(random.nextInt(JtokkitOracleTest.TRICKY.size()))).append(random.nextInt(100_000)).append('\n');
        }
        return sb + "<|endoftext|>The end.";
    }

    @Test
    void writeThenReadGivesTheSameTokenizer() throws IOException {
        ByteLevelBpe gpt2 = R50k.tokenizer();
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, "an older file, to be replaced");
        TokenizerJson.write(gpt2, file);
        ByteLevelBpe loaded = (ByteLevelBpe) TokenizerJson.read(file);

        assertThat(loaded.vocabSize()).isEqualTo(gpt2.vocabSize());
        assertThat(IntStream.range(0, gpt2.vocabSize())
                        .filter(id -> !Arrays.equals(loaded.tokenBytes(id), gpt2.tokenBytes(id)) || loaded.isSpecial(id) != gpt2.isSpecial(id)))
                .as("ids whose token changed").isEmpty();
        assertThat(loaded.model().merges()).containsExactlyElementsOf(gpt2.model().merges());
        assertThat(loaded.specialTokens()).isEqualTo(gpt2.specialTokens());
        String text = sample();
        Ids.assertSameIds("after a tokenizer.json round trip", loaded.encode(text), gpt2.encode(text), gpt2);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).as("no temporary file left behind").containsExactly(file);
        }
        Path plain = Files.writeString(dir.resolve("plain.txt"), "x");
        assertThat(Files.getPosixFilePermissions(file)).as("permissions of the written file, as of any new file")
                .isEqualTo(Files.getPosixFilePermissions(plain));
    }

    @Test
    void writesTheLayoutHuggingFaceExpects() {
        ByteLevelBpe gpt2 = Shared.gpt2();
        Path file = dir.resolve("tokenizer.json");
        TokenizerJson.write(gpt2, file);
        JsonNode root = Json.read(file);
        assertThat(root.at("/model/type").asText()).isEqualTo("BPE");
        assertThat(root.at("/model/vocab").size()).isEqualTo(gpt2.vocabSize());
        assertThat(root.at("/model/merges").size()).isEqualTo(gpt2.mergeCount());
        assertThat(root.at("/model/merges/0").asText()).isEqualTo(firstMergeLine());
        for (String part : new String[] {"/pre_tokenizer", "/decoder"}) {
            assertThat(root.at(part + "/type").asText()).isEqualTo("ByteLevel");
            assertThat(root.at(part + "/add_prefix_space").asBoolean(true)).isFalse();
            assertThat(root.at(part + "/trim_offsets").asBoolean(false)).isTrue();
        }
        assertThat(root.get("added_tokens")).singleElement().satisfies(t -> {
            assertThat(t.get("content").asText()).isEqualTo(ByteLevelBpe.END_OF_TEXT);
            assertThat(t.get("id").asInt()).isEqualTo(gpt2.eosId().orElseThrow());
            assertThat(t.get("special").asBoolean()).isTrue();
        });
    }

    private static String firstMergeLine() {
        return Shared.text("tokenizer/gpt2/merges.txt").lines()
                .filter(l -> !l.startsWith("#version")).findFirst().orElseThrow();
    }

    @Test
    void readsMergesWrittenAsPairs() throws IOException {
        ByteLevelBpe gpt2 = R50k.tokenizer();
        ObjectNode root = TokenizerJson.toJson(gpt2);
        ArrayNode pairs = Json.MAPPER.createArrayNode();
        root.withArray("/model/merges").forEach(m -> pairs.addArray().add(m.asText().split(" ")[0]).add(m.asText().split(" ")[1]));
        ((ObjectNode) root.get("model")).set("merges", pairs);
        Path file = dir.resolve("pairs.json");
        Json.MAPPER.writeValue(file.toFile(), root);
        String text = sample();
        Ids.assertSameIds("merges as pairs", TokenizerJson.read(file).encode(text), gpt2.encode(text), gpt2);
    }

    @Test
    void directoryPrefersTokenizerJsonOverVocabAndMerges() throws IOException {
        ByteLevelBpe gpt2 = Shared.gpt2();
        Files.copy(Shared.path("tokenizer/gpt2/vocab.json"), dir.resolve("vocab.json"));
        Files.copy(Shared.path("tokenizer/gpt2/merges.txt"), dir.resolve("merges.txt"));
        String text = sample();
        Ids.assertSameIds("folder with vocab.json + merges.txt", TokenizerLoader.fromDirectory(dir).encode(text), gpt2.encode(text), gpt2);

        // a tokenizer.json that keeps only GPT-2's first 1000 merges encodes differently
        ObjectNode root = TokenizerJson.toJson(gpt2);
        ArrayNode merges = root.withArray("/model/merges");
        while (merges.size() > 1000) {
            merges.remove(merges.size() - 1);
        }
        Json.MAPPER.writeValue(dir.resolve("tokenizer.json").toFile(), root);
        ByteLevelBpe fewerMerges = (ByteLevelBpe) TokenizerLoader.fromDirectory(dir);
        assertThat(fewerMerges.mergeCount()).isEqualTo(1000);
        assertThat(fewerMerges.encode(text)).isNotEqualTo(gpt2.encode(text));
        assertThat(fewerMerges.decode(fewerMerges.encode(text))).isEqualTo(text);
    }
}
