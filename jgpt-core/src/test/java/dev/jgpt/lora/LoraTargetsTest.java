package dev.jgpt.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jgpt.JgptException;
import dev.jgpt.TinyModels;
import dev.jgpt.convert.RandomModel;
import dev.jgpt.model.load.ModelFiles;
import dev.jgpt.tensor.DType;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --targets: roles to the maps of a model's blocks, by the names llama.cpp's adapters give them. */
class LoraTargetsTest {
    @TempDir
    Path dir;

    @Test
    void aLlamasRolesAreItsSeparateMaps() {
        try (ModelFiles model = ModelFiles.open(TinyModels.llamaGguf(dir.resolve("llama.gguf"), DType.F32))) {
            assertThat(LoraTargets.parse("v, q,down").select(model.transformer().weights()).keySet()).containsExactly(
                    "blk.0.attn_q.weight", "blk.0.attn_v.weight", "blk.0.ffn_down.weight",
                    "blk.1.attn_q.weight", "blk.1.attn_v.weight", "blk.1.ffn_down.weight");
        }
    }

    @Test
    void anyOfQKAndVNamesAFusedQkv() {
        Path gpt2 = dir.resolve("gpt2.gguf");
        RandomModel.gguf(TinyModels.GPT2, DType.F32, 2).write(gpt2);
        try (ModelFiles model = ModelFiles.open(gpt2)) {
            assertThat(LoraTargets.parse("k,o").select(model.transformer().weights()).keySet()).containsExactly(
                    "blk.0.attn_qkv.weight", "blk.0.attn_output.weight", "blk.1.attn_qkv.weight", "blk.1.attn_output.weight");
            assertThatThrownBy(() -> LoraTargets.parse("q,gate").select(model.transformer().weights()))
                    .isInstanceOf(JgptException.class)
                    .hasMessage("--targets: the model's blocks have no 'gate' map (they have qkv, o, up, down)");
        }
    }

    @Test
    void anUnknownRoleIsNamed() {
        assertThatThrownBy(() -> LoraTargets.parse("q,ffn"))
                .isInstanceOf(JgptException.class)
                .hasMessage("--targets: 'ffn' is not a linear map of a block; the maps are qkv, q, k, v, o, gate, up, down");
    }
}
