package dev.jgpt.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jgpt.JgptException;
import dev.jgpt.TinyModels;
import dev.jgpt.format.FormatException;
import dev.jgpt.format.GgufValue;
import dev.jgpt.convert.GgufModelWriter;
import dev.jgpt.tensor.DType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model's own chat templates, found where transformers finds them and chosen as apply_chat_template chooses. */
class ModelChatTemplatesTest {
    private static final List<Map<String, Object>> HELLO = List.of(Map.of("role", "user", "content", "hi"));
    private static final List<Object> TOOLS = List.of(Map.of("type", "function", "function", Map.of("name", "f")));
    private static final String DEFAULT = "default:{{ messages[0].content }}";
    private static final String TOOL_USE = "tool_use:{{ tools | length }}";

    @TempDir
    Path dir;

    @Test
    void aTokenizerConfigsTemplateStringIsTheModelsTemplate() throws IOException {
        Path folder = folder("{\"chat_template\": \"default:{{ messages[0].content }}\"}");
        assertThat(render(folder, null)).isEqualTo("default:hi");
        assertThat(render(folder, TOOLS)).isEqualTo("default:hi");
    }

    @Test
    void ofNamedTemplatesToolUseServesRequestsWithToolsAndDefaultTheOthers() throws IOException {
        Path folder = folder("{\"chat_template\": [{\"name\": \"tool_use\", \"template\": \"" + TOOL_USE + "\"}, "
                + "{\"name\": \"default\", \"template\": \"" + DEFAULT + "\"}]}");
        assertThat(render(folder, null)).isEqualTo("default:hi");
        assertThat(render(folder, TOOLS)).isEqualTo("tool_use:1");
    }

    @Test
    void chatTemplateJinjaBesideTheConfigIsTheTemplate() throws IOException {
        Path folder = folder("{\"chat_template\": \"from the config\"}");
        Files.writeString(folder.resolve(HfChatTemplates.JINJA_FILE), "jinja file:{{ messages | length }}\n");
        assertThat(render(folder, null)).isEqualTo("jinja file:1");
    }

    @Test
    void namedTemplatesWithoutADefaultServeNoRequestWithoutTools() throws IOException {
        Path folder = folder("{\"chat_template\": [{\"name\": \"tool_use\", \"template\": \"" + TOOL_USE + "\"}, "
                + "{\"name\": \"rag\", \"template\": \"x\"}]}");
        assertThat(render(folder, TOOLS)).isEqualTo("tool_use:1");
        assertThatThrownBy(() -> render(folder, null)).isInstanceOf(JgptException.class)
                .hasMessage("the model has several chat templates (rag, tool_use) and none named \"default\"");
    }

    @Test
    void aMalformedTemplateEntryIsAnErrorNamingTheFile() throws IOException {
        Path folder = folder("{\"chat_template\": 7}");
        try (LanguageModel lm = LanguageModel.open(folder)) {
            assertThatThrownBy(lm::template).isInstanceOf(FormatException.class)
                    .hasMessageContaining(HfChatTemplates.TOKENIZER_CONFIG).hasMessageContaining("chat_template must be a string");
        }
    }

    @Test
    void aFolderWithoutTemplateHasThePlainOne() {
        try (LanguageModel lm = LanguageModel.open(TinyModels.gpt2Folder(dir.resolve("m"), DType.F32))) {
            assertThat(lm.template()).isSameAs(ChatTemplate.PLAIN);
        }
    }

    @Test
    void aGgufFilesToolUseTemplateServesRequestsWithTools() {
        GgufModelWriter.Contents contents = TinyModels.llamaContents(DType.F32);
        contents.metadata().put("tokenizer.chat_template", GgufValue.string(DEFAULT));
        contents.metadata().put("tokenizer.chat_template.tool_use", GgufValue.string(TOOL_USE));
        Path file = dir.resolve("m.gguf");
        contents.write(file);
        assertThat(render(file, null)).isEqualTo("default:hi");
        assertThat(render(file, TOOLS)).isEqualTo("tool_use:1");
    }

    private Path folder(String tokenizerConfig) throws IOException {
        Path folder = TinyModels.gpt2Folder(dir.resolve("m"), DType.F32);
        Files.writeString(folder.resolve(HfChatTemplates.TOKENIZER_CONFIG), tokenizerConfig);
        return folder;
    }

    private static String render(Path model, List<Object> tools) {
        try (LanguageModel lm = LanguageModel.open(model)) {
            return ((JinjaTemplate) lm.template()).render(HELLO, tools, false);
        }
    }
}
