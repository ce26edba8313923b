package dev.jgpt.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jgpt.TinyModels;
import dev.jgpt.format.FormatException;
import dev.jgpt.generate.LanguageModel;
import dev.jgpt.tensor.DType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What {@link ModelFuzzTest} found, each kept as a case of its own. */
class FuzzFindingsTest {
    @TempDir
    Path dir;

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
