package dev.jgpt.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jgpt.TinyModels;
import dev.jgpt.generate.LanguageModel;
import dev.jgpt.tensor.DType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What {@link ModelFuzzTest} found, each kept as a case of its own. */
class FuzzFindingsTest {
    @TempDir
    Path dir;

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
