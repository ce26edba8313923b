package dev.jgpt.model;

import dev.jgpt.JgptException;
import java.util.ArrayList;
import java.util.List;

/**
 * What sets one transformer family apart, as data that the one forward pass reads: the norm,
 * how positions enter, the MLP, which linear maps carry biases, and the rest of what families
 * turn on ({@link Features}: where the norms sit, q/k norms, multipliers, soft-caps, windows).
 *
 * @param name     the family's name as GGUF's {@code general.architecture} spells it
 * @param norm     the kind of every norm of the model
 * @param mlp      the feed-forward block
 * @param biases   which linear maps (and norms) have a bias
 * @param rope     rotary position embeddings applied to queries and keys, or null for learned
 *                 absolute positions added to the token embedding (GPT-2)
 * @param features the computations beyond the Llama block, {@link Features#NONE} for none
 */
public record Architecture(String name, Norm norm, Mlp mlp, Biases biases, Rope rope, Features features) {

    public enum Norm {
        /** (x − mean) / √(var + eps) · γ + β. */
        LAYER_NORM,
        /** x / √(mean(x²) + eps) · γ: no centring, no bias. */
        RMS_NORM
    }

    public enum Mlp {
        /** down(gelu(up(x))), GELU in its tanh approximation. */
        GELU,
        /** down(silu(gate(x)) · up(x)). */
        SWIGLU,
        /** down(gelu(gate(x)) · up(x)), GELU in its tanh approximation (Gemma). */
        GEGLU;

        /** Whether the MLP has a gate matrix. */
        public boolean gated() {
            return this != GELU;
        }
    }

    /** Where a block's norms sit. */
    public enum NormPlacement {
        /** Before attention and before the MLP (GPT-2, Llama). */
        PRE,
        /** Before, and also on each branch's output before it joins the residual (Gemma 2 and 3). */
        PRE_AND_POST,
        /** Only on each branch's output before it joins the residual (OLMo 2). */
        POST;

        public boolean pre() {
            return this != POST;
        }

        public boolean post() {
            return this != PRE;
        }
    }

    /** RMSNorm of queries and keys after their projection, before rotation. */
    public enum QkNorm {
        NONE,
        /** Over all heads at once: gains of width Q and K (OLMo 2). */
        WHOLE,
        /** Over each head alone: gains of width D shared by the heads (Qwen3, Gemma 3). */
        PER_HEAD
    }

    /**
     * Attention to the last {@code size} positions only (a query at p sees keys at p − size < k ≤ p)
     * on some layers: with {@code period} 0 on every layer, otherwise on all but the last layer of
     * each {@code period} layers (llama.cpp's sliding-window pattern: 2 for Gemma 2, 6 for Gemma 3).
     */
    public record SlidingWindow(int size, int period) {
        public SlidingWindow {
            if (size <= 0 || period < 0) {
                throw new IllegalArgumentException("a sliding window needs a positive size, got " + size + " (period " + period + ")");
            }
        }

        /** Whether {@code layer} attends through the window. */
        public boolean windowed(int layer) {
            return period == 0 || layer % period < period - 1;
        }
    }

    /**
     * The computations some families add to the Llama block, each off in {@link #NONE}.
     *
     * @param norms            where the block's norms sit
     * @param qkNorm           q/k norms before rotation
     * @param embeddingScale   token embeddings × this (Gemma: √E; Granite's embedding multiplier)
     * @param residualScale    each branch × this before it joins the residual (Granite)
     * @param attentionScale   the attention-score scale; 0 for 1/√D
     * @param logitScale       logits × this (Granite divides by its logit scale)
     * @param attentionSoftCap scores become {@code cap·tanh(s/cap)} after scaling; 0 for none (Gemma 2)
     * @param finalSoftCap     logits become {@code cap·tanh(l/cap)}; 0 for none (Gemma 2)
     * @param window           the sliding window and its layers, or null (Phi-3, Gemma 2 and 3)
     * @param localRope        the rotary embedding of windowed layers, or null for {@code rope} (Gemma 3)
     * @param longRope         the rotary embedding for contexts longer than {@code originalContext},
     *                         or null (Phi-3's LongRoPE: {@code rope} holds its short factors)
     * @param originalContext  the context length the long factors take over after
     */
    public record Features(NormPlacement norms, QkNorm qkNorm, float embeddingScale, float residualScale,
                           float attentionScale, float logitScale, float attentionSoftCap, float finalSoftCap,
                           SlidingWindow window, Rope localRope, Rope longRope, int originalContext) {
        public static final Features NONE = new Features(NormPlacement.PRE, QkNorm.NONE, 1, 1, 0, 1, 0, 0, null, null, null, 0);

        public Features {
            if (norms == null || qkNorm == null) {
                throw new IllegalArgumentException("features need a norm placement and a q/k norm rule");
            }
            for (float f : new float[] {embeddingScale, residualScale, logitScale}) {
                if (!(f > 0) || Float.isInfinite(f)) {
                    throw new JgptException("model config: multipliers must be positive and finite, got " + f);
                }
            }
            if (!(attentionScale >= 0) || !(attentionSoftCap >= 0) || !(finalSoftCap >= 0)
                    || Float.isInfinite(attentionScale) || Float.isInfinite(attentionSoftCap) || Float.isInfinite(finalSoftCap)) {
                throw new JgptException("model config: the attention scale and the soft-caps must be finite and not "
                        + "negative, got " + attentionScale + ", " + attentionSoftCap + ", " + finalSoftCap);
            }
            if (longRope != null && originalContext <= 0) {
                throw new IllegalArgumentException("long-context rotary factors need the original context length");
            }
        }

        public Features withNorms(NormPlacement placement, QkNorm qk) {
            return new Features(placement, qk, embeddingScale, residualScale, attentionScale, logitScale, attentionSoftCap,
                    finalSoftCap, window, localRope, longRope, originalContext);
        }

        public Features withScales(float embedding, float residual, float attention, float logits) {
            return new Features(norms, qkNorm, embedding, residual, attention, logits, attentionSoftCap, finalSoftCap, window,
                    localRope, longRope, originalContext);
        }

        public Features withSoftCaps(float attention, float logits) {
            return new Features(norms, qkNorm, embeddingScale, residualScale, attentionScale, logitScale, attention, logits,
                    window, localRope, longRope, originalContext);
        }

        public Features withWindow(SlidingWindow slidingWindow, Rope local) {
            return new Features(norms, qkNorm, embeddingScale, residualScale, attentionScale, logitScale, attentionSoftCap,
                    finalSoftCap, slidingWindow, local, longRope, originalContext);
        }

        public Features withLongRope(Rope rope, int original) {
            return new Features(norms, qkNorm, embeddingScale, residualScale, attentionScale, logitScale, attentionSoftCap,
                    finalSoftCap, window, localRope, rope, original);
        }

        /** What is on, for people: "post-norms, q/k norm per head, window 4096 (pattern 6)". */
        String describe() {
            StringBuilder s = new StringBuilder();
            if (norms == NormPlacement.PRE_AND_POST) {
                s.append(", post-norms");
            }
            if (qkNorm != QkNorm.NONE) {
                s.append(qkNorm == QkNorm.WHOLE ? ", q/k norms" : ", per-head q/k norms");
            }
            if (embeddingScale != 1 || residualScale != 1 || logitScale != 1) {
                s.append(", multipliers (embedding ").append(embeddingScale).append(", residual ").append(residualScale)
                        .append(", logits ").append(logitScale).append(')');
            }
            if (attentionScale != 0) {
                s.append(", attention scale ").append(attentionScale);
            }
            if (attentionSoftCap != 0 || finalSoftCap != 0) {
                s.append(", soft-caps ").append(attentionSoftCap).append('/').append(finalSoftCap);
            }
            if (window != null) {
                s.append(", sliding window ").append(window.size())
                        .append(window.period() == 0 ? "" : " (global every " + window.period() + ")");
            }
            if (localRope != null) {
                s.append(", local rotary base ").append(localRope.base());
            }
            if (longRope != null) {
                s.append(", long-context rotary factors after ").append(originalContext);
            }
            return s.toString();
        }
    }


    public enum Biases {
        NONE,
        /** Only the query, key and value projections (Qwen2). */
        QKV,
        /** Every linear map and every norm (GPT-2). */
        ALL
    }

    /** GPT-2: pre-LayerNorm, GELU MLP, learned positions, biases everywhere. */
    public static final Architecture GPT2 = new Architecture("gpt2", Norm.LAYER_NORM, Mlp.GELU, Biases.ALL, null);

    public Architecture {
        if (name == null || norm == null || mlp == null || biases == null || features == null) {
            throw new IllegalArgumentException("an architecture needs a name, a norm, an MLP, a bias rule and features");
        }
    }

    /** A family that adds nothing to the Llama (or GPT-2) block. */
    public Architecture(String name, Norm norm, Mlp mlp, Biases biases, Rope rope) {
        this(name, norm, mlp, biases, rope, Features.NONE);
    }

    /** This architecture under another name with other features. */
    public Architecture with(String family, Mlp feedForward, Features extra) {
        return new Architecture(family, norm, feedForward, biases, rope, extra);
    }

    /**
     * Whether training has a backward for every computation of this architecture: GeGLU, norms
     * after the branches, q/k norms and soft-caps have none; multipliers, windows and the rotary
     * variants do.
     */
    public boolean trainable() {
        return withoutBackward().isEmpty();
    }

    /** The computations of this architecture that training has no backward for, for people ("" for none). */
    public String withoutBackward() {
        List<String> missing = new ArrayList<>();
        if (mlp == Mlp.GEGLU) {
            missing.add("GeGLU");
        }
        if (features.norms() != NormPlacement.PRE) {
            missing.add("norms after attention and the MLP");
        }
        if (features.qkNorm() != QkNorm.NONE) {
            missing.add("q/k norms");
        }
        if (features.attentionSoftCap() != 0 || features.finalSoftCap() != 0) {
            missing.add("soft-capping");
        }
        return String.join(", ", missing);
    }

    /** Llama (and Mistral, TinyLlama, SmolLM): RMSNorm, rotary positions, SwiGLU, no biases. */
    public static Architecture llama(Rope rope) {
        return new Architecture("llama", Norm.RMS_NORM, Mlp.SWIGLU, Biases.NONE, rope);
    }

    /** Qwen2: Llama with biases on q, k and v (and rotary positions on halves, {@link Rope.Style#NEOX}). */
    public static Architecture qwen2(Rope rope) {
        return new Architecture("qwen2", Norm.RMS_NORM, Mlp.SWIGLU, Biases.QKV, rope);
    }

    /**
     * IBM Granite 3: Llama with multipliers on the token embeddings and on each branch, an
     * attention scale of its own, and logits divided by {@code logitDivisor}.
     */
    public static Architecture granite(Rope rope, float embeddingScale, float residualScale, float attentionScale,
                                       float logitDivisor) {
        return llama(rope).with("granite", Mlp.SWIGLU,
                Features.NONE.withScales(embeddingScale, residualScale, attentionScale, 1 / logitDivisor));
    }

    /**
     * Phi-3: Llama's block (its fused q/k/v and gate|up maps are a matter of storage), a sliding
     * window on every layer (null for none), and LongRoPE: {@code rope} with the short factors,
     * {@code longRope} (or null) past {@code originalContext}.
     */
    public static Architecture phi3(Rope rope, SlidingWindow window, Rope longRope, int originalContext) {
        Features f = Features.NONE.withWindow(window, null);
        return llama(rope).with("phi3", Mlp.SWIGLU, longRope == null ? f : f.withLongRope(longRope, originalContext));
    }

    /**
     * Gemma 2: embeddings × √E, norms before and after each branch, GeGLU, queries scaled by
     * {@code attentionScale}, soft-capped scores and logits, a sliding window on even layers.
     */
    public static Architecture gemma2(Rope rope, int embd, float attentionScale, int window, float attentionSoftCap,
                                      float finalSoftCap) {
        return llama(rope).with("gemma2", Mlp.GEGLU, Features.NONE.withNorms(NormPlacement.PRE_AND_POST, QkNorm.NONE)
                .withScales((float) Math.sqrt(embd), 1, attentionScale, 1)
                .withSoftCaps(attentionSoftCap, finalSoftCap)
                .withWindow(new SlidingWindow(window, 2), null));
    }

    /**
     * Gemma 3: Gemma 2 without soft-caps, with per-head q/k norms, five windowed layers in six
     * rotating by {@code localRope}, the sixth by {@code rope}.
     */
    public static Architecture gemma3(Rope rope, Rope localRope, int embd, float attentionScale, int window) {
        return llama(rope).with("gemma3", Mlp.GEGLU, Features.NONE.withNorms(NormPlacement.PRE_AND_POST, QkNorm.PER_HEAD)
                .withScales((float) Math.sqrt(embd), 1, attentionScale, 1)
                .withWindow(new SlidingWindow(window, 6), localRope));
    }

    /** OLMo 2: norms only on each branch's output, RMSNorm over all queries and over all keys. */
    public static Architecture olmo2(Rope rope) {
        return llama(rope).with("olmo2", Mlp.SWIGLU, Features.NONE.withNorms(NormPlacement.POST, QkNorm.WHOLE));
    }

    /** Qwen3: Llama with an RMSNorm over each query and key head. */
    public static Architecture qwen3(Rope rope) {
        return llama(rope).with("qwen3", Mlp.SWIGLU, Features.NONE.withNorms(NormPlacement.PRE, QkNorm.PER_HEAD));
    }

    public boolean learnedPositions() {
        return rope == null;
    }

    public boolean qkvBias() {
        return biases != Biases.NONE;
    }

    /** Biases on the attention output, the MLP's maps and the norms. */
    public boolean otherBiases() {
        return biases == Biases.ALL;
    }

    /** One line for people: "pre-RMSNorm, SwiGLU MLP, rotary positions (NORM, base 10000)". */
    public String describe() {
        String positions = rope == null ? "learned positions" : "rotary positions (" + rope.describe() + ")";
        return (features.norms() == NormPlacement.POST ? "post-" : "pre-")
                + (norm == Norm.LAYER_NORM ? "LayerNorm" : "RMSNorm") + ", "
                + switch (mlp) {
                    case GELU -> "GELU";
                    case SWIGLU -> "SwiGLU";
                    case GEGLU -> "GeGLU";
                } + " MLP, " + positions
                + (biases == Biases.QKV ? ", q/k/v biases" : "") + features.describe();
    }

    @Override
    public String toString() {
        return name;
    }
}
