package dev.jgpt.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jgpt.JgptException;
import dev.jgpt.TinyModels;
import dev.jgpt.convert.GgufModelWriter;
import dev.jgpt.format.GgufValue;
import dev.jgpt.format.SafeTensorsWriter;
import dev.jgpt.generate.LanguageModel;
import dev.jgpt.model.load.ModelFiles;
import dev.jgpt.tensor.DType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Text read from a model's files reaches an error message escaped and capped: a value holding
 * terminal escapes cannot retitle or clear the terminal that shows the message, and a 5 MB value
 * does not make a 5 MB line.
 */
class FileTextInMessagesTest {
    /** Sets the window title, rings the bell, clears the screen. */
    private static final String ESCAPES = "\u001b]0;owned\u0007\u001b[2J\u009b31m";
    private static final String HUGE = "\u001b[2J" + "x".repeat(5 << 20);

    @TempDir
    Path dir;

    static Stream<Arguments> values() {
        return Stream.of(Arguments.of("escapes", ESCAPES), Arguments.of("5 MB", HUGE));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("values")
    void configJsonStrings(String name, String value) throws IOException {
        for (String field : new String[] {"model_type", "activation_function"}) {
            Path model = TinyModels.gpt2Folder(dir.resolve(field), DType.F32);
            editConfig(model, root -> root.put(field, value));
            assertSafe(catchThrowable(() -> LanguageModel.open(model).close()));
        }
        Path model = TinyModels.gpt2Folder(dir.resolve("n_embd"), DType.F32);
        editConfig(model, root -> root.put("n_embd", value));
        assertSafe(catchThrowable(() -> LanguageModel.open(model).close()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("values")
    void ggufStringsKeysAndTensorNames(String name, String value) {
        assertSafe(catchThrowable(() -> openGguf(c -> c.metadata().put("general.architecture", GgufValue.string(value)))));
        assertSafe(catchThrowable(() -> openGguf(c -> c.metadata().put("tokenizer.ggml.model", GgufValue.string(value)))));
        assertSafe(catchThrowable(() -> openGguf(c -> c.metadata().put("llama.rope.scaling.type", GgufValue.string(value)))));
        assertSafe(catchThrowable(() -> openGguf(c -> c.metadata().put("llama.block_count", GgufValue.string(value)))));
        assertSafe(catchThrowable(() -> openGguf(c -> c.tensors().add(SafeTensorsWriter.Entry.of(value, DType.F32,
                new long[] {1}, new float[1])))));
        assertSafe(catchThrowable(() -> openGguf(c -> c.tensors().add(SafeTensorsWriter.Entry.of("blk." + value + ".x", DType.F32,
                new long[] {1}, new float[1])))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("values")
    void safetensorsNamesAndDtypes(String name, String value) throws IOException {
        Path model = TinyModels.gpt2Folder(dir.resolve("extra"), DType.F32);
        SafeTensorsWriter.write(model.resolve(ModelFiles.WEIGHTS),
                List.of(SafeTensorsWriter.Entry.of(value, DType.F32, new long[] {1}, new float[1])), Map.of());
        assertSafe(catchThrowable(() -> LanguageModel.open(model).close()));
        byte[] header = ("{\"w\": {\"dtype\": " + new ObjectMapper().writeValueAsString(value)
                + ", \"shape\": [1], \"data_offsets\": [0, 4]}}").getBytes(StandardCharsets.UTF_8);
        ByteBuffer file = ByteBuffer.allocate(8 + header.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        file.putLong(header.length).put(header);
        Files.write(model.resolve(ModelFiles.WEIGHTS), file.array());
        assertSafe(catchThrowable(() -> LanguageModel.open(model).close()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("values")
    void tokenizerJsonStrings(String name, String value) throws IOException {
        Path model = TinyModels.gpt2Folder(dir.resolve("tokenizer"), DType.F32);
        Path tokenizer = model.resolve("tokenizer.json");
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = (ObjectNode) json.readTree(tokenizer.toFile());
        ((ObjectNode) root.get("model")).put("type", value);
        Files.writeString(tokenizer, json.writeValueAsString(root));
        assertSafe(catchThrowable(() -> LanguageModel.open(model).close()));
        Files.writeString(tokenizer, value);
        assertSafe(catchThrowable(() -> LanguageModel.open(model).close()));
    }

    private static void assertSafe(Throwable thrown) {
        assertThat(thrown).isInstanceOf(JgptException.class);
        String message = thrown.getMessage();
        assertThat(message.length()).as("length of %s", message.substring(0, Math.min(message.length(), 300))).isLessThan(600);
        assertThat(message.chars().filter(c -> c < 0x20 || (c >= 0x7f && c < 0xa0)).count())
                .as("control characters in %s", message.substring(0, Math.min(message.length(), 300))).isZero();
    }

    private void openGguf(Consumer<GgufModelWriter.Contents> edit) {
        GgufModelWriter.Contents contents = TinyModels.llamaContents(DType.F32);
        edit.accept(contents);
        Path file = dir.resolve("model.gguf");
        contents.write(file);
        LanguageModel.open(file).close();
    }

    private static void editConfig(Path model, Consumer<ObjectNode> edit) throws IOException {
        Path config = model.resolve(ModelFiles.CONFIG);
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = (ObjectNode) json.readTree(config.toFile());
        edit.accept(root);
        Files.writeString(config, json.writeValueAsString(root));
    }
}
