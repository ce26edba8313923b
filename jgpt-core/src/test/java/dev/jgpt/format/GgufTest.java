package dev.jgpt.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jgpt.SharedData;
import dev.jgpt.tensor.DType;
import dev.jgpt.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufTest {
    private static final int F32 = 0;
    private static final int Q8_0 = 8;

    @TempDir
    Path dir;

    @Test
    void storiesModelHasTheShapesItsReadmeDescribes() {
        try (Gguf gguf = Gguf.open(SharedData.require("models/stories260K.gguf"))) {
            GgufMetadata meta = gguf.metadata();
            assertThat(gguf.version()).isEqualTo(3);
            assertThat(meta.architecture()).isEqualTo("llama");
            assertThat(meta.keys()).hasSize(19);
            assertThat(meta.getInt("llama.block_count")).isEqualTo(5);
            assertThat(meta.getInt("llama.embedding_length")).isEqualTo(64);
            assertThat(meta.getInt("llama.attention.head_count")).isEqualTo(8);
            assertThat(meta.getInt("llama.attention.head_count_kv")).isEqualTo(4);
            assertThat(meta.getInt("llama.feed_forward_length")).isEqualTo(172);
            assertThat(meta.getFloat("llama.attention.layer_norm_rms_epsilon")).isCloseTo(1e-5f, within(1e-9f));
            assertThat(meta.getInt("tokenizer.ggml.bos_token_id")).isEqualTo(1);
            assertThat(meta.getInt("tokenizer.ggml.eos_token_id")).isEqualTo(2);
            assertThat(meta.getString("tokenizer.ggml.model")).isEqualTo("llama");
            List<String> tokens = meta.getStringArray("tokenizer.ggml.tokens");
            assertThat(tokens).hasSize(512).startsWith("<unk>", "<s>", "</s>");
            for (int b = 0; b < 256; b++) {
                assertThat(tokens.get(3 + b)).isEqualTo(String.format("<0x%02X>", b));
            }
            assertThat(meta.getFloatArray("tokenizer.ggml.scores")).hasSize(512);
            assertThat(meta.getIntArray("tokenizer.ggml.token_type")).hasSize(512).startsWith(2, 3, 3, 6);
            // the separator id is u32 0xFFFFFFFF ("none"): readable as a long, too large for an int
            assertThat(meta.getLong("tokenizer.ggml.seperator_token_id")).isEqualTo(0xFFFF_FFFFL);
            assertThatThrownBy(() -> meta.getInt("tokenizer.ggml.seperator_token_id")).isInstanceOf(FormatException.class)
                    .hasMessageContaining("'tokenizer.ggml.seperator_token_id'").hasMessageContaining("4294967295");

            assertThat(gguf.tensors()).hasSize(5 * 9 + 3);
            assertThat(gguf.tensors()).allMatch(t -> t.dtype() == DType.F32);
            assertThat(gguf.require("token_embd.weight").shape()).containsExactly(512, 64);
            assertThat(gguf.require("output_norm.weight").shape()).containsExactly(64);
            assertThat(gguf.require("blk.0.attn_q.weight").shape()).containsExactly(64, 64);
            assertThat(gguf.require("blk.4.attn_k.weight").shape()).containsExactly(32, 64); // 4 KV heads × 8
            assertThat(gguf.require("blk.2.ffn_gate.weight").shape()).containsExactly(172, 64);
            assertThat(gguf.require("blk.2.ffn_down.weight").shape()).containsExactly(64, 172);
            assertThat(gguf.require("output.weight").toFloatArray()).isEqualTo(gguf.require("token_embd.weight").toFloatArray());
            assertThat(gguf.dataOffset() % 32).isZero();
            Tensor last = gguf.tensors().getLast();
            assertThat(gguf.dataOffset() + last.data().address() - gguf.tensors().getFirst().data().address()
                    + last.data().byteSize()).isEqualTo(gguf.file().toFile().length());
        }
    }

    @Test
    void gpt2VocabOnlyFileMatchesOpenAisVocabAndMerges() throws IOException {
        Path vocabFile = SharedData.require("tokenizer/ggml-vocab-gpt-2.gguf");
        Map<String, Integer> vocab = new ObjectMapper().readValue(SharedData.require("tokenizer/gpt2/vocab.json").toFile(),
                new TypeReference<>() {});
        List<String> merges = Files.readAllLines(SharedData.require("tokenizer/gpt2/merges.txt")).stream()
                .filter(line -> !line.startsWith("#version") && !line.isEmpty()).toList();
        try (Gguf gguf = Gguf.open(vocabFile)) {
            GgufMetadata meta = gguf.metadata();
            assertThat(gguf.tensors()).isEmpty();
            assertThat(meta.architecture()).isEqualTo("gpt2");
            assertThat(meta.getString("tokenizer.ggml.pre")).isEqualTo("gpt-2");
            List<String> tokens = meta.getStringArray("tokenizer.ggml.tokens");
            assertThat(tokens).hasSize(vocab.size());
            vocab.forEach((token, id) -> assertThat(tokens.get(id)).isEqualTo(token));
            assertThat(meta.getStringArray("tokenizer.ggml.merges")).isEqualTo(merges);
            assertThat(meta.getIntArray("tokenizer.ggml.token_type")).hasSize(vocab.size());
            assertThat(meta.getInt("tokenizer.ggml.eos_token_id")).isEqualTo(vocab.get("<|endoftext|>"));
            assertThat(meta.getArray("tokenizer.ggml.tokens").stringAt(18435)).isEqualTo("ĠHello");
        }
    }

    @Test
    void llamaVocabOnlyFile() {
        try (Gguf gguf = Gguf.open(SharedData.require("tokenizer/ggml-vocab-llama-spm.gguf"))) {
            GgufMetadata meta = gguf.metadata();
            assertThat(meta.getStringArray("tokenizer.ggml.tokens")).hasSize(32000).contains("▁the");
            assertThat(meta.getFloatArray("tokenizer.ggml.scores")).hasSize(32000);
            assertThat(meta.getBoolean("tokenizer.ggml.add_bos_token")).isTrue();
            assertThat(meta.getBoolean("tokenizer.ggml.add_eos_token")).isFalse();
            assertThat(meta.getInt("llama.vocab_size")).isEqualTo(32000);
            assertThat(meta.displayed().get("tokenizer.ggml.tokens")).startsWith("[string x 32000: \"<unk>\", \"<s>\"");
        }
    }

    /** Every value type, nested arrays, a custom alignment, and two tensors of different types. */
    static GgufBytes everyType(int version) {
        GgufBytes b = new GgufBytes().header(version, 2, 19);
        b.key("general.architecture", 8).str("test");
        b.key("u8", 0).u8(200);
        b.key("i8", 1).u8(-5);
        b.key("u16", 2).u16(60000);
        b.key("i16", 3).u16(-300);
        b.key("u32", 4).u32(4_000_000_000L);
        b.key("i32", 5).u32(-7);
        b.key("f32", 6).f32(1.5f);
        b.key("bool", 7).u8(1);
        b.key("u64", 10).u64(-1L);
        b.key("i64", 11).u64(-9_000_000_000L);
        b.key("f64", 12).f64(0.1);
        b.key("strings", 9).arrayOf(8, 3).str("a").str("βγ").str("");
        b.key("floats", 9).arrayOf(6, 2).f32(1f).f32(-2.5f);
        b.key("ints", 9).arrayOf(5, 3).u32(-1).u32(2).u32(3);
        b.key("u16s", 9).arrayOf(2, 2).u16(65535).u16(7);
        b.key("bools", 9).arrayOf(7, 2).u8(0).u8(1);
        b.key("nested", 9).arrayOf(9, 2).arrayOf(0, 2).u8(1).u8(2).arrayOf(8, 1).str("x");
        b.key("general.alignment", 4).u32(64);
        b.tensor("w", F32, 0, 4, 2);
        b.tensor("q", Q8_0, 64, 32);
        b.padTo(64).floats(0, 1, 2, 3, 4, 5, 6, 7).padTo(64);
        byte[] block = new byte[34];
        for (int i = 0; i < block.length; i++) {
            block[i] = (byte) (i * 7);
        }
        return b.bytes(block);
    }

    @Test
    void readsEveryValueTypeInVersions2And3() {
        for (int version : new int[] {2, 3}) {
            Path file = everyType(version).writeTo(dir.resolve("v" + version + ".gguf"));
            try (Gguf gguf = Gguf.open(file)) {
                GgufMetadata m = gguf.metadata();
                assertThat(gguf.version()).isEqualTo(version);
                assertThat(m.architecture()).isEqualTo("test");
                assertThat(m.getInt("u8")).isEqualTo(200);
                assertThat(m.getInt("i8")).isEqualTo(-5);
                assertThat(m.getInt("u16")).isEqualTo(60000);
                assertThat(m.getInt("i16")).isEqualTo(-300);
                assertThat(m.getLong("u32")).isEqualTo(4_000_000_000L);
                assertThat(m.getInt("i32")).isEqualTo(-7);
                assertThat(m.getFloat("f32")).isEqualTo(1.5f);
                assertThat(m.getBoolean("bool")).isTrue();
                assertThat(m.require("u64").display()).isEqualTo("18446744073709551615");
                assertThatThrownBy(() -> m.getLong("u64")).hasMessageContaining("'u64'");
                assertThat(m.getLong("i64")).isEqualTo(-9_000_000_000L);
                assertThat(m.require("f64")).isEqualTo(GgufValue.f64(0.1));
                assertThat(m.getStringArray("strings")).containsExactly("a", "βγ", "");
                assertThat(m.getFloatArray("floats")).containsExactly(1f, -2.5f);
                assertThat(m.getIntArray("ints")).containsExactly(-1, 2, 3);
                assertThat(m.getIntArray("u16s")).containsExactly(65535, 7);
                assertThat(m.getArray("bools").booleanAt(1)).isTrue();
                GgufArray nested = m.getArray("nested");
                assertThat(nested.elementType()).isEqualTo(GgufType.ARRAY);
                assertThat(nested.arrayAt(0).longAt(1)).isEqualTo(2);
                assertThat(nested.arrayAt(1).strings()).containsExactly("x");
                assertThat(nested.display()).isEqualTo("[array x 2: [u8 x 2: 1, 2], [string x 1: \"x\"]]");
                assertThat(gguf.alignment()).isEqualTo(64);
                assertThat(gguf.dataOffset() % 64).isZero();

                Tensor w = gguf.require("w");
                assertThat(w.shape()).containsExactly(2, 4);
                assertThat(w.toFloatArray()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
                Tensor q = gguf.require("q");
                assertThat(q.dtype()).isEqualTo(DType.Q8_0);
                assertThat(q.shape()).containsExactly(32);
                assertThat(q.data().byteSize()).isEqualTo(34);
                assertThat(q.data().get(ValueLayout.JAVA_BYTE, 33)).isEqualTo((byte) (33 * 7));
            }
        }
    }

    @Test
    void metadataOutlivesTheMapping() {
        Path file = everyType(3).writeTo(dir.resolve("m.gguf"));
        GgufMetadata m;
        try (Gguf gguf = Gguf.open(file)) {
            m = gguf.metadata();
        }
        assertThat(m.getStringArray("strings")).containsExactly("a", "βγ", "");
    }

    @Test
    void accessorsNameTheKeyAndWhatWasExpected() {
        Path file = everyType(3).writeTo(dir.resolve("a.gguf"));
        try (Gguf gguf = Gguf.open(file)) {
            GgufMetadata m = gguf.metadata();
            assertThatThrownBy(() -> m.getInt("llama.block_count")).isInstanceOf(FormatException.class)
                    .hasMessageContaining(file.toString()).hasMessageContaining("missing metadata key 'llama.block_count'");
            assertThatThrownBy(() -> m.getString("u8")).hasMessageContaining("'u8' is u8 200, expected a string");
            assertThatThrownBy(() -> m.getInt("u32")).hasMessageContaining("'u32' is u32 4000000000, expected an integer that fits an int");
            assertThatThrownBy(() -> m.getFloatArray("strings")).hasMessageContaining("'strings'").hasMessageContaining("numbers");
            assertThatThrownBy(() -> m.getStringArray("f32")).hasMessageContaining("'f32' is f32 1.5, expected an array");
            assertThat(m.optionalInt("absent")).isEmpty();
            assertThat(m.optionalInt("i8")).hasValue(-5);
            assertThat(m.optionalString("general.architecture")).hasValue("test");
            assertThatThrownBy(() -> gguf.require("nope")).hasMessageContaining("missing tensor 'nope'");
        }
    }

    @Test
    void truncationAnywhereIsAFormatExceptionSayingSo() throws IOException {
        byte[] whole = everyType(3).toArray();
        for (int length = 0; length < whole.length; length++) {
            assertTruncatedRejected(Arrays.copyOf(whole, length));
        }
        byte[] stories = Files.readAllBytes(SharedData.require("models/stories260K.gguf"));
        for (int length = 0; length < stories.length; length += length < 20_000 ? 37 : 9_973) {
            assertTruncatedRejected(Arrays.copyOf(stories, length));
        }
    }

    private void assertTruncatedRejected(byte[] content) throws IOException {
        Path file = dir.resolve("cut.gguf");
        Files.write(file, content);
        assertThatThrownBy(() -> Gguf.open(file).close()).as("cut at %d", content.length)
                .isInstanceOf(FormatException.class).hasMessageContaining("cut.gguf").hasMessageContaining("truncated");
    }

    @Test
    void truncatedTensorDataNamesTheTensor() throws IOException {
        byte[] stories = Files.readAllBytes(SharedData.require("models/stories260K.gguf"));
        Path file = dir.resolve("short.gguf");
        Files.write(file, Arrays.copyOf(stories, stories.length - 100));
        assertThatThrownBy(() -> Gguf.open(file)).isInstanceOf(FormatException.class)
                .hasMessageContaining("tensor 'blk.4.ffn_norm.weight'").hasMessageContaining("runs past the end");
    }

    @Test
    void badHeadersAreRejected() {
        assertRejected(b -> b.bytes("GGML".getBytes()).u32(3).u64(0).u64(0), "not a GGUF file");
        assertRejected(b -> b.header(1, 0, 0), "unsupported GGUF version 1 (supported: 2, 3)");
        assertRejected(b -> b.header(4, 0, 0), "unsupported GGUF version 4");
        assertRejected(b -> b.header(Integer.reverseBytes(3), 0, 0), "big-endian");
        assertRejected(b -> b.header(3, 0, 1L << 40), "metadata key-value count is 1099511627776, more than");
        assertRejected(b -> b.header(3, 1L << 50, 0).u64(0), "tensor count is");
        assertRejected(b -> b.header(3, 0, 1).str("k").u32(13).u8(0), "'k' has unknown value type id 13");
        assertRejected(b -> b.header(3, 0, 1).u64(1L << 40).u64(0), "truncated: metadata key 0 at byte 32 claims 1099511627776 bytes");
        assertRejected(b -> b.header(3, 0, 1).key("a", 9).arrayOf(6, 1L << 40).u64(0), "'a' length is 1099511627776");
        assertRejected(b -> b.header(3, 0, 1).key("a", 9).arrayOf(8, 2).str("x").u64(-1), "claims 18446744073709551615 bytes");
        assertRejected(b -> b.header(3, 0, 1).key("b", 7).u8(2), "'b' is a bool holding 2");
        assertRejected(b -> b.header(3, 0, 2).key("k", 4).u32(1).key("k", 4).u32(2), "duplicate metadata key 'k'");
        assertRejected(b -> b.header(3, 0, 1).key("general.alignment", 4).u32(48), "'general.alignment' is 48, expected a power of two");
        assertRejected(b -> b.header(3, 0, 1).key("general.alignment", 8).str("x"), "'general.alignment' is string");
    }

    @Test
    void badTensorInfosAreRejected() {
        assertRejected(b -> oneTensor(b, "t", 99, 0, 32, 32), "tensor 't' has unknown ggml type id 99");
        assertRejected(b -> oneTensor(b, "t", 21, 0, 256, 256), "tensor 't' has type IQ3_S (id 21), which jgpt does not read");
        assertRejected(b -> oneTensor(b, "t", Q8_0, 0, 33, 34 * 2), "tensor 't' has rows of 33 values, not a multiple of Q8_0's block of 32");
        assertRejected(b -> oneTensor(b, "t", F32, 4, 4, 32), "tensor 't' has offset 4, not a multiple of the alignment 32");
        assertRejected(b -> oneTensor(b, "t", F32, 0, 4, 8), "tensor 't' (F32, 16 bytes at data offset 0) runs past the end");
        assertRejected(b -> oneTensor(b, "t", F32, 1L << 62, 4, 16), "runs past the end");
        assertRejected(b -> oneTensor(b, "t", F32, 0, -1, 16), "tensor 't' dimension 0 is 18446744073709551615");
        assertRejected(b -> b.header(3, 1, 0).tensor("t", F32, 0, 1, 1, 1, 1, 1), "tensor 't' has 5 dimensions, expected 1 to 4");
        assertRejected(b -> b.header(3, 1, 0).tensor("t", F32, 0, 1L << 40, 1L << 40), "too many elements");
        assertRejected(b -> b.header(3, 2, 0).tensor("t", F32, 0, 4).tensor("t", F32, 32, 4).padTo(32).bytes(new byte[64]),
                "duplicate tensor 't'");
        assertRejected(b -> b.header(3, 2, 0).tensor("a", F32, 0, 16).tensor("b", F32, 32, 4).padTo(32).bytes(new byte[64]),
                "tensor 'b' at data offset 32 overlaps tensor 'a' (bytes 0 to 64)");
    }

    private static void oneTensor(GgufBytes b, String name, int type, long offset, long ne0, int dataBytes) {
        b.header(3, 1, 0).tensor(name, type, offset, ne0).padTo(32).bytes(new byte[dataBytes]);
    }

    private void assertRejected(Consumer<GgufBytes> content, String message) {
        GgufBytes b = new GgufBytes();
        content.accept(b);
        Path file = b.writeTo(dir.resolve("bad.gguf"));
        assertThatThrownBy(() -> Gguf.open(file).close()).isInstanceOf(FormatException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining(message);
    }

    @Test
    void missingFileIsAClearError() {
        assertThatThrownBy(() -> Gguf.open(dir.resolve("none.gguf"))).isInstanceOf(FormatException.class)
                .hasMessageContaining("no such file");
    }
}
