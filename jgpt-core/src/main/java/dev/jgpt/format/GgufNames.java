package dev.jgpt.format;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names as llama.cpp writes them in GGUF files: metadata keys,
 * token types, tensor names, and GPT-2's tensor names with their Hugging Face counterparts.
 */
public final class GgufNames {
    public static final String ARCHITECTURE = GgufMetadata.ARCHITECTURE;
    public static final String NAME = "general.name";
    public static final String FILE_TYPE = "general.file_type";
    public static final String QUANTIZATION_VERSION = "general.quantization_version";
    /** "model", or "adapter" in an adapter file. */
    public static final String TYPE = "general.type";
    public static final String ADAPTER_TYPE = "adapter.type";
    public static final String LORA_ALPHA = "adapter.lora.alpha";
    /** The block layout version of GGML's quantized types (written by quantizers). */
    public static final int CURRENT_QUANTIZATION_VERSION = 2;

    public static final String TOKENIZER_MODEL = "tokenizer.ggml.model";
    public static final String TOKENIZER_PRE = "tokenizer.ggml.pre";
    public static final String TOKENS = "tokenizer.ggml.tokens";
    public static final String TOKEN_TYPE = "tokenizer.ggml.token_type";
    public static final String MERGES = "tokenizer.ggml.merges";
    public static final String BOS_ID = "tokenizer.ggml.bos_token_id";
    public static final String EOS_ID = "tokenizer.ggml.eos_token_id";

    /** {@code tokenizer.ggml.token_type} codes. */
    public static final int TOKEN_NORMAL = 1;
    public static final int TOKEN_CONTROL = 3;
    public static final int TOKEN_UNUSED = 5;

    /** Whether a file's metadata marks it as an adapter (LoRA's, or another kind) rather than a model. */
    public static boolean isAdapter(GgufMetadata metadata) {
        return metadata.find(TYPE).filter(type -> type.equals(GgufValue.string("adapter"))).isPresent();
    }

    /** Hyperparameter keys, each under the architecture's name: {@code gpt2.context_length}. */
    public enum ArchKey {
        CONTEXT_LENGTH("context_length"),
        EMBEDDING_LENGTH("embedding_length"),
        FEED_FORWARD_LENGTH("feed_forward_length"),
        BLOCK_COUNT("block_count"),
        VOCAB_SIZE("vocab_size"),
        HEAD_COUNT("attention.head_count"),
        HEAD_COUNT_KV("attention.head_count_kv"),
        LAYER_NORM_EPSILON("attention.layer_norm_epsilon"),
        LAYER_NORM_RMS_EPSILON("attention.layer_norm_rms_epsilon"),
        ROPE_DIMENSION_COUNT("rope.dimension_count"),
        ROPE_FREQ_BASE("rope.freq_base"),
        ROPE_SCALING_TYPE("rope.scaling.type"),
        ROPE_SCALING_FACTOR("rope.scaling.factor");

        private final String suffix;

        ArchKey(String suffix) {
            this.suffix = suffix;
        }

        /** The key for {@code architecture}, e.g. {@code llama.attention.head_count}. */
        public String of(String architecture) {
            return architecture + "." + suffix;
        }
    }

    /*
     * llama.cpp's tensor names: a stem, then ".weight" or ".bias"; a block's stems are
     * "blk.N." + one of the block stems below.
     */
    public static final String TOKEN_EMBD = "token_embd";
    public static final String POSITION_EMBD = "position_embd";
    public static final String OUTPUT_NORM = "output_norm";
    public static final String OUTPUT = "output";
    /** Llama 3's rotary frequency divisors, one per pair of a head's rotated values. */
    public static final String ROPE_FREQS = "rope_freqs";
    public static final String ATTN_NORM = "attn_norm";
    public static final String ATTN_QKV = "attn_qkv";
    public static final String ATTN_Q = "attn_q";
    public static final String ATTN_K = "attn_k";
    public static final String ATTN_V = "attn_v";
    public static final String ATTN_OUTPUT = "attn_output";
    public static final String FFN_NORM = "ffn_norm";
    public static final String FFN_GATE = "ffn_gate";
    public static final String FFN_UP = "ffn_up";
    public static final String FFN_DOWN = "ffn_down";

    /** The stem of block {@code layer}'s part {@code stem}: {@code blk.3.attn_q}. */
    public static String block(int layer, String stem) {
        return "blk." + layer + "." + stem;
    }

    /**
     * One GPT-2 tensor under its Hugging Face name (without a {@code transformer.} prefix) and
     * its GGUF name. {@code transposed}: Hugging Face stores it {@code [in, out]} (GPT-2's Conv1D
     * layers), GGUF {@code [out, in]} like every other linear map.
     */
    public record Gpt2Tensor(String huggingFace, String gguf, boolean transposed) {}

    private static final Map<String, String> GPT2_GLOBAL = Map.of(
            "wte.weight", TOKEN_EMBD + ".weight",
            "wpe.weight", POSITION_EMBD + ".weight",
            "ln_f.weight", OUTPUT_NORM + ".weight",
            "ln_f.bias", OUTPUT_NORM + ".bias",
            "lm_head.weight", OUTPUT + ".weight");
    /** Per layer: {@code h.N.<key>.weight|bias} is {@code blk.N.<value>.weight|bias}. */
    private static final Map<String, String> GPT2_LAYER = Map.of(
            "ln_1", ATTN_NORM,
            "attn.c_attn", ATTN_QKV,
            "attn.c_proj", ATTN_OUTPUT,
            "ln_2", FFN_NORM,
            "mlp.c_fc", FFN_UP,
            "mlp.c_proj", FFN_DOWN);
    private static final Pattern HF_LAYER = Pattern.compile("h\\.(\\d+)\\.(.+)\\.(weight|bias)");
    private static final Pattern GGUF_LAYER = Pattern.compile("blk\\.(\\d+)\\.(.+)\\.(weight|bias)");

    private GgufNames() {}

    /** The GPT-2 tensor with Hugging Face name {@code name} ({@code transformer.} prefix allowed), if it is one. */
    public static Optional<Gpt2Tensor> gpt2FromHuggingFace(String name) {
        String hf = name.startsWith("transformer.") ? name.substring("transformer.".length()) : name;
        if (GPT2_GLOBAL.containsKey(hf)) {
            return Optional.of(new Gpt2Tensor(hf, GPT2_GLOBAL.get(hf), false));
        }
        Matcher m = HF_LAYER.matcher(hf);
        if (!m.matches() || !GPT2_LAYER.containsKey(m.group(2))) {
            return Optional.empty();
        }
        String gguf = "blk." + m.group(1) + "." + GPT2_LAYER.get(m.group(2)) + "." + m.group(3);
        return Optional.of(new Gpt2Tensor(hf, gguf, isConv1dWeight(m.group(2), m.group(3))));
    }

    /** The GPT-2 tensor with GGUF name {@code name}, if it is one. */
    public static Optional<Gpt2Tensor> gpt2FromGguf(String name) {
        for (var e : GPT2_GLOBAL.entrySet()) {
            if (e.getValue().equals(name)) {
                return Optional.of(new Gpt2Tensor(e.getKey(), name, false));
            }
        }
        Matcher m = GGUF_LAYER.matcher(name);
        if (!m.matches()) {
            return Optional.empty();
        }
        for (var e : GPT2_LAYER.entrySet()) {
            if (e.getValue().equals(m.group(2))) {
                String hf = "h." + m.group(1) + "." + e.getKey() + "." + m.group(3);
                return Optional.of(new Gpt2Tensor(hf, name, isConv1dWeight(e.getKey(), m.group(3))));
            }
        }
        return Optional.empty();
    }

    /** The weights of every layer part except the norms are Conv1D weights. */
    private static boolean isConv1dWeight(String part, String kind) {
        return kind.equals("weight") && !part.startsWith("ln_");
    }
}
