package dev.jgpt.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jgpt.tensor.DType;
import dev.jgpt.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
    @TempDir
    Path dir;

    @Test
    void writtenTensorsReadBackInEveryDtype() {
        float[] values = {1f, -2.5f, 3.25f, 0.1f, 65504f, -0f};
        Path file = dir.resolve("t.safetensors");
        SafeTensorsWriter.write(file, List.of(
                SafeTensorsWriter.Entry.of("a", DType.F32, new long[] {2, 3}, values),
                SafeTensorsWriter.Entry.of("b", DType.F16, new long[] {6}, values),
                SafeTensorsWriter.Entry.of("c", DType.BF16, new long[] {3, 2}, values)), Map.of("note", "hi"));
        try (SafeTensors st = SafeTensors.open(file)) {
            assertThat(st.names()).containsExactly("a", "b", "c");
            assertThat(st.metadata()).containsEntry("note", "hi");
            Tensor a = st.require("a");
            assertThat(a.shape()).containsExactly(2, 3);
            assertThat(a.toFloatArray()).containsExactly(values);
            assertThat(st.require("b").toFloatArray()).containsExactly(1f, -2.5f, 3.25f, Float.float16ToFloat(Float.floatToFloat16(0.1f)), 65504f, -0f);
            // bfloat16 keeps 8 bits of mantissa: 0.1 → 0.10009765625, 65504 → 65536
            assertThat(st.require("c").toFloatArray()).containsExactly(1f, -2.5f, 3.25f, 0.10009765625f, 65536f, -0f);
        }
        assertThat(dir.toFile().list()).containsExactly("t.safetensors");
    }

    @Test
    void truncatedFileNamesTheTensorAndTheFile() throws IOException {
        Path file = dir.resolve("t.safetensors");
        SafeTensorsWriter.write(file, List.of(SafeTensorsWriter.Entry.of("w", DType.F32, new long[] {4}, new float[4])), Map.of());
        byte[] all = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(all, all.length - 3));
        assertThatThrownBy(() -> SafeTensors.open(file)).isInstanceOf(FormatException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("'w'").hasMessageContaining("truncated");
        Files.write(file, new byte[5]);
        assertThatThrownBy(() -> SafeTensors.open(file)).hasMessageContaining("truncated");
    }

    @Test
    void headerThatLiesIsRejected() throws IOException {
        assertRejected("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,12]}}", 16, "needs 16 bytes but data_offsets span 12");
        assertRejected("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[8,24]}}", 16, "outside");
        assertRejected("{\"w\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]}}", 16, "unsupported dtype 'I64'");
        assertRejected("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,16]}}", 16, "bad dimension");
        assertRejected("{\"w\":{\"dtype\":\"F32\"}}", 16, "data_offsets");
        assertRejected("{not json", 16, "not valid JSON");
        Path file = dir.resolve("huge.safetensors");
        Files.write(file, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40).array());
        assertThatThrownBy(() -> SafeTensors.open(file)).hasMessageContaining("header length");
    }

    @Test
    void missingFileIsAClearError() {
        assertThatThrownBy(() -> SafeTensors.open(dir.resolve("none.safetensors")))
                .isInstanceOf(FormatException.class).hasMessageContaining("no such file");
    }

    private void assertRejected(String header, int dataBytes, String message) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buffer = ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(json.length).put(json);
        Path file = dir.resolve("bad.safetensors");
        Files.write(file, buffer.array());
        assertThatThrownBy(() -> SafeTensors.open(file)).isInstanceOf(FormatException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining(message);
    }
}
