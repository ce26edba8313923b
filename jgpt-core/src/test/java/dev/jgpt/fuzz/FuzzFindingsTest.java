package dev.jgpt.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jgpt.TinyModels;
import dev.jgpt.convert.GgufModelWriter;
import dev.jgpt.format.FormatException;
import dev.jgpt.format.GgufValue;
import dev.jgpt.format.SafeTensors;
import dev.jgpt.format.SafeTensorsWriter;
import dev.jgpt.generate.LanguageModel;
import dev.jgpt.tensor.DType;
import dev.jgpt.tensor.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What {@link ModelFuzzTest} found, each kept as a case of its own. */
class FuzzFindingsTest {
    @TempDir
    Path dir;

    /** The layer count was the highest layer index plus one: a stray tensor of layer 999999999 vouched for n_layer 1e9. */
    @Test
    @Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void oneStrayTensorOfAFarLayerDoesNotVouchForABillionLayers() throws IOException {
        Path model = TinyModels.gpt2Folder(dir.resolve("stray"), DType.F32);
        Path weights = model.resolve("model.safetensors");
        List<SafeTensorsWriter.Entry> entries = new ArrayList<>();
        try (SafeTensors source = SafeTensors.open(weights)) {
            for (String name : source.names()) {
                Tensor t = source.require(name);
                String renamed = name.equals("h.0.attn.c_proj.bias") ? "h.999999999.ln_1.weight" : name;
                entries.add(SafeTensorsWriter.Entry.of(renamed, t.dtype(), t.shape(), t.toFloatArray()));
            }
        }
        SafeTensorsWriter.write(weights, entries, Map.of());
        Path config = model.resolve("config.json");
        Files.writeString(config, Files.readString(config).replaceFirst("\"n_layer\" : 2", "\"n_layer\" : 1000000000"));
        assertThat(Files.readString(config)).contains("1000000000");
        assertThatThrownBy(() -> LanguageModel.open(model)).isInstanceOf(FormatException.class)
                .hasMessage(weights + ": the file holds the tensors of 3 layers, but tensor 'h.999999999.ln_1.weight' belongs to layer "
                        + "999999999: layers are numbered from 0 without gaps");

        GgufModelWriter.Contents contents = TinyModels.llamaContents(DType.F32);
        contents.metadata().put("llama.block_count", GgufValue.u32(1_000_000_000));
        contents.tensors().add(SafeTensorsWriter.Entry.of("blk.999999999.attn_norm.weight", DType.F32, new long[] {32}, new float[32]));
        Path gguf = dir.resolve("stray.gguf");
        contents.write(gguf);
        assertThatThrownBy(() -> LanguageModel.open(gguf)).isInstanceOf(FormatException.class)
                .hasMessageContaining("tensor 'blk.999999999.attn_norm.weight' belongs to layer 999999999");
    }

    /** A config.json that is not UTF-8 was "cannot read: Input length = 1". */
    @Test
    void aConfigThatIsNotUtf8IsNamedAsSuch() throws IOException {
        Path model = TinyModels.gpt2Folder(dir.resolve("not-utf8"), DType.F32);
        Path config = model.resolve("config.json");
        byte[] bytes = Files.readAllBytes(config);
        int quote = new String(bytes, StandardCharsets.ISO_8859_1).indexOf("\"gpt2\"");
        bytes[quote + 1] = (byte) 0xFF;
        Files.write(config, bytes);
        assertThatThrownBy(() -> LanguageModel.open(model)).isInstanceOf(FormatException.class)
                .hasMessageStartingWith(config + ": not valid JSON: ").hasMessageContaining("UTF-8").hasMessageContaining("0xff");
    }

    /** A lone special token was compiled as a bare regex literal, whose table takes time quadratic in its length. */
    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aSpecialTokenMegabytesLongIsReadInLinearTime() throws IOException {
        Path model = TinyModels.gpt2Folder(dir.resolve("long-special"), DType.F32);
        Path tokenizer = model.resolve("tokenizer.json");
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = (ObjectNode) json.readTree(tokenizer.toFile());
        String special = "<|" + "x".repeat(5 << 20); // a run of one character is the slow case
        ((ObjectNode) root.get("added_tokens").get(0)).put("content", special);
        Files.writeString(tokenizer, json.writeValueAsString(root));
        try (LanguageModel lm = LanguageModel.open(model)) {
            assertThat(lm.tokenizer().encode("a" + special + "b")).hasSize(3).contains(lm.tokenizer().specialId(special).orElseThrow());
        }
    }
}
