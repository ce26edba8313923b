package dev.jgpt.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jgpt.SharedData;
import dev.jgpt.format.SafeTensorsWriter.Entry;
import dev.jgpt.tensor.DType;
import dev.jgpt.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufWriterTest {
    @TempDir
    Path dir;

    /** The metadata and tensors of {@link GgufTest#everyType}, built through the API. */
    private static Map<String, GgufValue> everyTypeMetadata() {
        Map<String, GgufValue> m = new LinkedHashMap<>();
        m.put("general.architecture", GgufValue.string("test"));
        m.put("u8", GgufValue.u8(200));
        m.put("i8", GgufValue.i8(-5));
        m.put("u16", GgufValue.u16(60000));
        m.put("i16", GgufValue.i16(-300));
        m.put("u32", GgufValue.u32(4_000_000_000L));
        m.put("i32", GgufValue.i32(-7));
        m.put("f32", GgufValue.f32(1.5f));
        m.put("bool", GgufValue.bool(true));
        m.put("u64", GgufValue.u64(-1L));
        m.put("i64", GgufValue.i64(-9_000_000_000L));
        m.put("f64", GgufValue.f64(0.1));
        m.put("strings", GgufArray.ofStrings(List.of("a", "βγ", "")));
        m.put("floats", GgufArray.ofFloats(new float[] {1f, -2.5f}));
        m.put("ints", GgufArray.ofInt32(-1, 2, 3));
        m.put("u16s", GgufArray.ofIntegers(GgufType.UINT16, 65535, 7));
        m.put("bools", GgufArray.ofBools(false, true));
        m.put("nested", GgufArray.ofArrays(List.of(GgufArray.ofIntegers(GgufType.UINT8, 1, 2), GgufArray.ofStrings(List.of("x")))));
        m.put("general.alignment", GgufValue.u32(64));
        return m;
    }

    private static List<Entry> everyTypeTensors() {
        Entry q = new Entry("q", DType.Q8_0, new long[] {32}, segment -> {
            for (int i = 0; i < 34; i++) {
                segment.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 7));
            }
        });
        return List.of(Entry.of("w", DType.F32, new long[] {2, 4}, new float[] {0, 1, 2, 3, 4, 5, 6, 7}), q);
    }

    @Test
    void writesExactlyTheBytesTheFormatDescriptionGives() throws IOException {
        Path file = dir.resolve("w.gguf");
        GgufWriter.write(file, everyTypeMetadata(), everyTypeTensors());
        // the writer pads the last tensor to the alignment too, as llama.cpp does
        assertThat(Files.readAllBytes(file)).isEqualTo(GgufTest.everyType(3).padTo(64).toArray());
        assertThat(dir.toFile().list()).containsExactly("w.gguf");
    }

    @Test
    void metadataAndTensorsOfEveryTypeRoundTrip() {
        Random random = new Random(5);
        List<Entry> entries = new ArrayList<>();
        List<byte[]> contents = new ArrayList<>();
        for (DType type : DType.values()) {
            long[] shape = {3, 2L * type.blockSize()};
            byte[] bytes = new byte[(int) type.byteSize(shape[0] * shape[1])];
            random.nextBytes(bytes);
            contents.add(bytes);
            entries.add(new Entry("t." + type, type, shape, s -> MemorySegment.copy(bytes, 0, s, ValueLayout.JAVA_BYTE, 0, bytes.length)));
        }
        Map<String, GgufValue> metadata = everyTypeMetadata();
        metadata.remove("general.alignment");
        Path file = dir.resolve("all.gguf");
        List<String> progress = new ArrayList<>();
        GgufWriter.write(file, metadata, entries, (i, n, e) -> progress.add(i + "/" + n + " " + e.name()));
        assertThat(progress).hasSize(entries.size()).startsWith("0/" + entries.size() + " t.F32");
        try (Gguf gguf = Gguf.open(file)) {
            assertThat(gguf.version()).isEqualTo(3);
            assertThat(gguf.alignment()).isEqualTo(32);
            assertThat(gguf.metadata().asMap()).containsExactlyEntriesOf(metadata);
            for (int i = 0; i < entries.size(); i++) {
                Tensor t = gguf.require(entries.get(i).name());
                assertThat(t.dtype()).isEqualTo(entries.get(i).dtype());
                assertThat(t.shape()).containsExactly(entries.get(i).shape());
                assertThat(t.data().address() % 32).as("aligned in the mapping").isZero();
                assertThat(t.data().toArray(ValueLayout.JAVA_BYTE)).isEqualTo(contents.get(i));
            }
        }
    }

    @Test
    void rewritingARealFileKeepsEveryValueAndByte() throws IOException {
        Path source = SharedData.require("models/stories260K.gguf");
        Path copy = dir.resolve("copy.gguf");
        try (Gguf gguf = Gguf.open(source)) {
            List<Entry> entries = gguf.tensors().stream().map(t -> Entry.of(t, t.dtype())).toList();
            GgufWriter.write(copy, gguf.metadata().asMap(), entries);
        }
        // stories260K.gguf was written by llama.cpp's tools: the same layout gives the same bytes
        assertThat(Files.readAllBytes(copy)).isEqualTo(Files.readAllBytes(source));
        try (Gguf vocab = Gguf.open(SharedData.require("tokenizer/ggml-vocab-gpt-2.gguf"))) {
            Path vocabCopy = dir.resolve("vocab.gguf");
            GgufWriter.write(vocabCopy, vocab.metadata().asMap(), List.of());
            assertThat(Files.readAllBytes(vocabCopy)).isEqualTo(Files.readAllBytes(vocab.file()));
        }
    }

    @Test
    void tensorsGgufCannotHoldAreRefusedAndNothingIsLeftBehind() {
        Path file = dir.resolve("bad.gguf");
        Map<String, GgufValue> none = Map.of();
        assertThatThrownBy(() -> GgufWriter.write(file, none, List.of(Entry.of("a", DType.F32, new long[] {1}, new float[1]),
                Entry.of("a", DType.F32, new long[] {1}, new float[1])))).hasMessageContaining("'a' is written twice");
        assertThatThrownBy(() -> GgufWriter.write(file, none, List.of(Entry.of("a", DType.F32, new long[] {1, 1, 1, 1, 1}, new float[1]))))
                .hasMessageContaining("5 dimensions");
        assertThatThrownBy(() -> GgufWriter.write(file, none, List.of(new Entry("q", DType.Q4_0, new long[] {2, 48}, s -> {}))))
                .hasMessageContaining("rows of 48 values, not whole Q4_0 blocks of 32");
        assertThatThrownBy(() -> GgufWriter.write(file, Map.of(GgufMetadata.ALIGNMENT, GgufValue.u32(24)), List.of()))
                .hasMessageContaining("power of two");
        assertThatThrownBy(() -> GgufWriter.write(file, none, List.of(new Entry("x", DType.F32, new long[] {4}, s -> {
            throw new IllegalStateException("fill failed");
        })))).hasMessageContaining("fill failed");
        assertThat(dir.toFile().list()).isEmpty();
    }
}
