package dev.jgpt.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.jgpt.JgptException;
import dev.jgpt.TinyModels;
import dev.jgpt.format.Gguf;
import dev.jgpt.format.GgufMetadata;
import dev.jgpt.format.GgufNames;
import dev.jgpt.format.GgufValue;
import dev.jgpt.format.GgufWriter;
import dev.jgpt.format.SafeTensorsWriter.Entry;
import dev.jgpt.generate.LanguageModel;
import dev.jgpt.model.load.ModelFiles;
import dev.jgpt.tensor.DType;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Adapter files as llama.cpp lays them out, and every way one can be wrong for its base model. */
class LoraAdapterTest {
    @TempDir
    static Path dir;

    /** The tiny Llama: embedding 32, queries 32, keys and values 16, MLP 64, two layers. */
    static Path base;

    @BeforeAll
    static void makeBase() {
        base = TinyModels.llamaGguf(dir.resolve("base.gguf"), DType.F32);
    }

    @Test
    void writtenAsLlamaCppLaysItOutAndReadBack() {
        LoraAdapter adapter;
        try (ModelFiles model = ModelFiles.open(base)) {
            adapter = RandomLora.of(model.transformer().weights(), name -> name.contains("attn_q") || name.contains("ffn_down"),
                    4, 8f, 0.1, 1);
        }
        Path file = dir.resolve("written.gguf");
        adapter.write(file, DType.F32);
        try (Gguf gguf = Gguf.open(file)) {
            GgufMetadata m = gguf.metadata();
            assertThat(m.getString("general.type")).isEqualTo("adapter");
            assertThat(m.getString("adapter.type")).isEqualTo("lora");
            assertThat(m.find("adapter.lora.alpha")).contains(GgufValue.f32(8f));
            assertThat(m.architecture()).isEqualTo("llama");
            // A is [rank, in] and B [out, rank] row-major: GGUF's ne lists them reversed, as llama.cpp checks them
            assertThat(gguf.require("blk.0.attn_q.weight.lora_a").shape()).containsExactly(4, 32);
            assertThat(gguf.require("blk.0.attn_q.weight.lora_b").shape()).containsExactly(32, 4);
            assertThat(gguf.require("blk.1.ffn_down.weight.lora_a").shape()).containsExactly(4, 64);
            assertThat(gguf.require("blk.1.ffn_down.weight.lora_b").shape()).containsExactly(32, 4);
            assertThat(gguf.names()).hasSize(8);
        }
        LoraAdapter read = LoraAdapter.read(file);
        assertThat(read.architecture()).isEqualTo("llama");
        assertThat(read.alpha()).isEqualTo(8f);
        assertThat(read.ranks()).containsExactly(4);
        assertThat(read.pairs().keySet()).containsExactly("blk.0.attn_q.weight", "blk.0.ffn_down.weight",
                "blk.1.attn_q.weight", "blk.1.ffn_down.weight");
        read.pairs().forEach((name, pair) -> {
            assertThat(pair.a()).isEqualTo(adapter.pairs().get(name).a());
            assertThat(pair.b()).isEqualTo(adapter.pairs().get(name).b());
        });
    }

    @Test
    void theScaleIsAlphaOverRankOrTheUsersAloneWithoutAlpha() {
        assertThat(new LoraAdapter("llama", 16f, Map.of()).scale(0.5f, 8)).isEqualTo(1f);
        assertThat(new LoraAdapter("llama", 0f, Map.of()).scale(0.5f, 8)).isEqualTo(0.5f);
        Path noAlpha = adapterFile("no-alpha.gguf", meta -> meta.remove(GgufNames.LORA_ALPHA),
                pair("blk.0.attn_q.weight", 2, 32, 32));
        assertThat(LoraAdapter.read(noAlpha).alpha()).isZero();
    }

    @Test
    void aModelIsNotAnAdapter() {
        assertThatThrownBy(() -> LoraAdapter.read(base)).isInstanceOf(JgptException.class)
                .hasMessage(base + ": not a LoRA adapter: general.type is absent, an adapter's is 'adapter'");
        Path other = adapterFile("other.gguf", meta -> meta.put(GgufNames.ADAPTER_TYPE, GgufValue.string("control_vector")),
                pair("blk.0.attn_q.weight", 2, 32, 32));
        assertThatThrownBy(() -> LoraAdapter.read(other)).isInstanceOf(JgptException.class)
                .hasMessage(other + ": adapter.type is 'control_vector'; only 'lora' adapters are supported");
    }

    @Test
    void anAdapterIsNotAModel() {
        Path adapter = adapterFile("as-model.gguf", meta -> {}, pair("blk.0.attn_q.weight", 2, 32, 32));
        assertThatThrownBy(() -> LanguageModel.open(adapter)).isInstanceOf(JgptException.class)
                .hasMessageStartingWith(adapter + ": a LoRA adapter (general.type is 'adapter'), not a model");
    }

    @Test
    void anAdapterForAnotherArchitectureIsRefused() {
        Path qwen = adapterFile("qwen.gguf", meta -> meta.put(GgufMetadata.ARCHITECTURE, GgufValue.string("qwen2")),
                pair("blk.0.attn_q.weight", 2, 32, 32));
        assertThat(attachError(qwen)).isEqualTo(qwen + ": the adapter is for a 'qwen2' model, but the base model " + base
                + " is 'llama'");
    }

    @Test
    void aWeightTheBaseLacksIsNamed() {
        Path file = adapterFile("missing.gguf", meta -> {}, pair("blk.7.attn_q.weight", 2, 32, 32));
        assertThat(attachError(file)).isEqualTo(file + ": tensor 'blk.7.attn_q.weight.lora_a' adapts 'blk.7.attn_q.weight', "
                + "which the base model " + base + " does not have");
    }

    @Test
    void aWeightThatIsNotALinearMapOfTheBlocksIsNamed() {
        Path file = adapterFile("embedding.gguf", meta -> {}, pair("token_embd.weight", 2, 32, TinyModels.VOCAB));
        assertThat(attachError(file)).isEqualTo(file + ": tensor 'token_embd.weight.lora_a' adapts 'token_embd.weight', "
                + "which is not a linear map of the blocks (jgpt adapts only those)");
    }

    @Test
    void factorsOfTheWrongShapeForTheBaseAreNamed() {
        // attn_k maps 32 → 16: a B of 32 outputs fits attn_q, not attn_k
        Path file = adapterFile("shape.gguf", meta -> {}, pair("blk.1.attn_k.weight", 2, 32, 32));
        assertThat(attachError(file)).isEqualTo(file + ": tensors 'blk.1.attn_k.weight.lora_a' [2, 32] and "
                + "'blk.1.attn_k.weight.lora_b' [32, 2] do not fit 'blk.1.attn_k.weight' of the base model, a map 32 → 16: "
                + "expected [2, 32] and [16, 2]");
    }

    @Test
    void factorsOfDifferentRanksAreNamed() {
        Path file = adapterFile("rank.gguf", meta -> {}, List.of(
                Entry.of("blk.0.attn_q.weight.lora_a", DType.F32, new long[] {4, 32}, new float[4 * 32]),
                Entry.of("blk.0.attn_q.weight.lora_b", DType.F32, new long[] {32, 3}, new float[32 * 3])));
        assertThatThrownBy(() -> LoraAdapter.read(file)).isInstanceOf(JgptException.class)
                .hasMessage(file + ": tensor 'blk.0.attn_q.weight.lora_b' has shape [32, 3] but 'blk.0.attn_q.weight.lora_a' "
                        + "[4, 32] has rank 4: expected [out, 4] (a is [rank, in], b is [out, rank])");
    }

    @Test
    void aFactorWithoutItsPartnerOrOfAnUnknownKindIsNamed() {
        Path alone = adapterFile("alone.gguf", meta -> {}, List.of(
                Entry.of("blk.0.attn_q.weight.lora_a", DType.F32, new long[] {4, 32}, new float[4 * 32])));
        assertThatThrownBy(() -> LoraAdapter.read(alone)).isInstanceOf(JgptException.class)
                .hasMessage(alone + ": tensor 'blk.0.attn_q.weight.lora_a' has no partner 'blk.0.attn_q.weight.lora_b'");
        Path stray = adapterFile("stray.gguf", meta -> {}, List.of(
                Entry.of("blk.0.attn_q.weight", DType.F32, new long[] {32, 32}, new float[32 * 32])));
        assertThatThrownBy(() -> LoraAdapter.read(stray)).isInstanceOf(JgptException.class)
                .hasMessage(stray + ": tensor 'blk.0.attn_q.weight' is neither a .lora_a nor a .lora_b factor of a LoRA adapter");
    }

    private static String attachError(Path adapter) {
        try (ModelFiles model = ModelFiles.open(base)) {
            return catchThrowableOfType(JgptException.class,
                    () -> Adapters.attach(model, List.of(new LoraFile(adapter, 1f)))).getMessage();
        }
    }

    /** The two zero factors of a rank-{@code rank} adapter of {@code target}, a map in → out. */
    private static List<Entry> pair(String target, int rank, int in, int out) {
        return List.of(Entry.of(target + ".lora_a", DType.F32, new long[] {rank, in}, new float[rank * in]),
                Entry.of(target + ".lora_b", DType.F32, new long[] {out, rank}, new float[out * rank]));
    }

    /** An adapter file for the tiny Llama with {@code tensors}, its metadata changed by {@code edit}. */
    private static Path adapterFile(String name, Consumer<Map<String, GgufValue>> edit, List<Entry> tensors) {
        Map<String, GgufValue> meta = new LinkedHashMap<>();
        meta.put(GgufMetadata.ARCHITECTURE, GgufValue.string("llama"));
        meta.put(GgufNames.TYPE, GgufValue.string("adapter"));
        meta.put(GgufNames.ADAPTER_TYPE, GgufValue.string("lora"));
        meta.put(GgufNames.LORA_ALPHA, GgufValue.f32(4f));
        edit.accept(meta);
        Path file = dir.resolve(name);
        GgufWriter.write(file, meta, tensors);
        return file;
    }
}
