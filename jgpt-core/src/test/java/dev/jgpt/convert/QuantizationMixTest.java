package dev.jgpt.convert;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jgpt.SharedData;
import dev.jgpt.format.FileType;
import dev.jgpt.model.Architecture;
import dev.jgpt.model.ModelConfig;
import dev.jgpt.model.Rope;
import dev.jgpt.tensor.DType;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link QuantizationMix} against the type llama-quantize gave every tensor of two models in
 * each K mix ({@code ../shared/reference/quant_mixes/mixes.json}), on the tensors jgpt writes
 * for the same shapes; and the fallbacks of rows that are not whole blocks.
 */
class QuantizationMixTest {
    /** make-model's llama-1b: 14 layers, 18 heads sharing 6 key/value heads, 2304 wide, FFN 6144, tied embeddings. */
    private static final ModelConfig LLAMA_1B = new ModelConfig(Architecture.llama(Rope.of(Rope.Style.NORM, 128, 10000)),
            14, 18, 6, 2304, 6144, 2048, 32000, 1e-5f, true);
    /** GPT-2 124M with its output matrix stored apart from the token embedding. */
    private static final ModelConfig GPT2 = ModelConfig.gpt2(12, 12, 768, 1024, 50257);

    @Test
    void everyTensorOfBothModelsGetsLlamaQuantizesTypeInEveryMix() throws IOException {
        JsonNode mixes = new ObjectMapper().readTree(SharedData.require("reference/quant_mixes/mixes.json").toFile());
        Map<String, long[]> llama = shapes(GgufModelWriter.slots(LLAMA_1B, false));
        Map<String, long[]> gpt2 = shapes(GgufModelWriter.slots(GPT2, true));
        gpt2.put("output.weight", new long[] {GPT2.vocabSize(), GPT2.embd()});
        int checked = 0;
        for (var model : List.of(Map.entry("llama", Map.entry(LLAMA_1B, llama)), Map.entry("gpt2", Map.entry(GPT2, gpt2)))) {
            JsonNode byMix = mixes.get(model.getKey());
            assertThat(byMix).as(model.getKey()).isNotNull();
            for (var mix : (Iterable<Map.Entry<String, JsonNode>>) byMix::fields) {
                Map<String, DType> ours = types(QuantizationMix.of(FileType.byName(mix.getKey())), model.getValue().getKey(),
                        model.getValue().getValue());
                Map<String, DType> theirs = new LinkedHashMap<>();
                mix.getValue().fields().forEachRemaining(e -> theirs.put(e.getKey(), DType.valueOf(e.getValue().asText())));
                assertThat(ours).as("%s %s", model.getKey(), mix.getKey()).containsExactlyInAnyOrderEntriesOf(theirs);
                checked++;
            }
        }
        assertThat(checked).isEqualTo(16);
    }

    @Test
    void rowsThatAreNotWholeBlocksFallBackToASmallerBlockElseF16() {
        assertThat(QuantizationMix.fallback(DType.Q2_K, 96)).isEqualTo(DType.Q4_0);
        assertThat(QuantizationMix.fallback(DType.Q3_K, 64)).isEqualTo(DType.Q4_0);
        assertThat(QuantizationMix.fallback(DType.Q4_K, 96)).isEqualTo(DType.Q5_0);
        assertThat(QuantizationMix.fallback(DType.Q5_K, 96)).isEqualTo(DType.Q5_1);
        assertThat(QuantizationMix.fallback(DType.Q6_K, 96)).isEqualTo(DType.Q8_0);
        assertThat(QuantizationMix.fallback(DType.Q6_K, 512)).isEqualTo(DType.Q6_K);
        assertThat(QuantizationMix.fallback(DType.Q4_K, 100)).isEqualTo(DType.F16);
        assertThat(QuantizationMix.fallback(DType.Q8_0, 172)).isEqualTo(DType.F16);
        assertThat(QuantizationMix.fallback(DType.IQ4_XS, 64)).isEqualTo(DType.IQ4_NL);
        assertThat(QuantizationMix.fallback(DType.IQ4_XS, 100)).isEqualTo(DType.F16);
        assertThat(QuantizationMix.fallback(DType.IQ4_NL, 172)).isEqualTo(DType.F16);
        // stories260K's shape (64 wide, SwiGLU 172, 4 of 8 heads): nothing is whole 256-value blocks
        ModelConfig stories = new ModelConfig(Architecture.llama(Rope.of(Rope.Style.NORM, 8, 10000)),
                5, 8, 4, 64, 172, 512, 512, 1e-5f, true);
        Map<String, DType> q4km = types(QuantizationMix.of(FileType.Q4_K_M), stories, shapes(GgufModelWriter.slots(stories, false)));
        assertThat(q4km.get("token_embd.weight")).isEqualTo(DType.Q8_0); // the output's Q6_K, falling back
        assertThat(q4km.get("blk.1.attn_q.weight")).isEqualTo(DType.Q5_0);
        assertThat(q4km.get("blk.0.ffn_down.weight")).isEqualTo(DType.F16); // Q6_K by the mix; rows of 172 fit no block
        assertThat(q4km.get("blk.0.attn_norm.weight")).isEqualTo(DType.F32);
        // Q2_K gives attn_v Q4_K once four or more query heads share a key/value head
        ModelConfig gqa8 = new ModelConfig(Architecture.llama(Rope.of(Rope.Style.NORM, 64, 10000)),
                2, 32, 4, 2048, 5632, 512, 512, 1e-5f, false);
        Map<String, DType> q2k = types(QuantizationMix.of(FileType.Q2_K), gqa8, shapes(GgufModelWriter.slots(gqa8, false)));
        assertThat(q2k.get("blk.1.attn_v.weight")).isEqualTo(DType.Q4_K);
        assertThat(q2k.get("output.weight")).isEqualTo(DType.Q6_K);
        assertThat(q2k.get("token_embd.weight")).isEqualTo(DType.Q2_K);
    }

    @Test
    void iq4MixesGiveAttnVQ5KUnderWideSharingAndTheFirstEighthOfFfnDownQ5K() {
        // 16 layers, 8 query heads per key/value head: ffn_down of layers 0 and 1 (16/8) get Q5_K
        ModelConfig gqa8 = new ModelConfig(Architecture.llama(Rope.of(Rope.Style.NORM, 64, 10000)),
                16, 32, 4, 2048, 5632, 512, 512, 1e-5f, false);
        ModelConfig gqa2 = new ModelConfig(Architecture.llama(Rope.of(Rope.Style.NORM, 64, 10000)),
                16, 32, 16, 2048, 5632, 512, 512, 1e-5f, false);
        for (FileType fileType : List.of(FileType.IQ4_NL, FileType.IQ4_XS)) {
            DType base = fileType.base();
            Map<String, DType> wide = types(QuantizationMix.of(fileType), gqa8, shapes(GgufModelWriter.slots(gqa8, false)));
            assertThat(wide.get("blk.5.attn_v.weight")).as("%s", fileType).isEqualTo(DType.Q5_K);
            assertThat(wide.get("blk.1.ffn_down.weight")).as("%s", fileType).isEqualTo(DType.Q5_K);
            assertThat(wide.get("blk.2.ffn_down.weight")).as("%s", fileType).isEqualTo(base);
            assertThat(wide.get("blk.15.ffn_down.weight")).as("%s", fileType).isEqualTo(base);
            assertThat(wide.get("blk.0.attn_q.weight")).as("%s", fileType).isEqualTo(base);
            assertThat(wide.get("blk.0.attn_output.weight")).as("%s", fileType).isEqualTo(base);
            assertThat(wide.get("token_embd.weight")).as("%s", fileType).isEqualTo(base);
            assertThat(wide.get("output.weight")).as("%s", fileType).isEqualTo(DType.Q6_K);
            Map<String, DType> narrow = types(QuantizationMix.of(fileType), gqa2, shapes(GgufModelWriter.slots(gqa2, false)));
            assertThat(narrow.get("blk.5.attn_v.weight")).as("%s", fileType).isEqualTo(base);
        }
        assertThat(FileType.byName("iq4_xs")).isEqualTo(FileType.IQ4_XS);
        assertThat(FileType.IQ4_NL.id()).isEqualTo(25);
        assertThat(FileType.IQ4_XS.id()).isEqualTo(30);
        assertThat(FileType.of(DType.IQ4_XS)).isEqualTo(FileType.IQ4_XS);
    }

    @Test
    void pureMixesGiveEveryMatrixTheBaseType() {
        Map<String, DType> pure = types(QuantizationMix.pure(FileType.Q4_K_M), LLAMA_1B, shapes(GgufModelWriter.slots(LLAMA_1B, false)));
        pure.forEach((name, type) -> assertThat(type).as(name).isEqualTo(name.endsWith("norm.weight") ? DType.F32 : DType.Q4_K));
        assertThat(QuantizationMix.pure(DType.Q4_K).fileType()).isEqualTo(FileType.Q4_K_S);
        assertThat(FileType.byName("q4_k")).isEqualTo(FileType.Q4_K_M);
        assertThat(FileType.byName("Q3_K_S")).isEqualTo(FileType.Q3_K_S);
        assertThat(FileType.byName("Q7_K")).isNull();
    }

    private static Map<String, long[]> shapes(List<GgufModelWriter.Slot> slots) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        slots.forEach(s -> shapes.put(s.name(), s.shape()));
        return shapes;
    }

    private static Map<String, DType> types(QuantizationMix mix, ModelConfig config, Map<String, long[]> shapes) {
        List<String> names = new ArrayList<>(shapes.keySet());
        List<QuantizationMix.Choice> choices = mix.choose(QuantizationMix.Shape.of(config), names, new ArrayList<>(shapes.values()));
        Map<String, DType> types = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            types.put(names.get(i), choices.get(i).type());
        }
        return types;
    }
}
