package dev.jgpt.train;

import dev.jgpt.JgptException;
import dev.jgpt.model.LayerWeights;
import dev.jgpt.model.ModelConfig;
import dev.jgpt.model.ModelWeights;
import dev.jgpt.tensor.GradientKernels;
import dev.jgpt.tensor.Kernels;
import dev.jgpt.tensor.Parallel;
import java.util.Arrays;

/**
 * GPT-2 for training: the forward pass of {@link dev.jgpt.model.Transformer} over a batch of
 * sequences, keeping its activations, then a hand-written backward, each layer's next to its
 * forward (llm.c style). The loss is the mean softmax cross-entropy over every position of the
 * batch, against the tied unembedding.
 *
 * <p>Gradients are a {@code float[]} laid out like {@link Parameters} (same offsets): every
 * backward kernel accumulates into heap arrays like the activations it reads, one code path, and
 * the Vector API runs at full speed on arrays for this compute-bound read-modify-write work.
 * They accumulate across {@link #step} calls until {@link #zeroGradients()}.
 *
 * <p>Not thread-safe; the kernels use the shared thread pool.
 */
public final class TrainingModel {
    private final Parameters parameters;
    private final ModelConfig config;
    private final float[] gradients;
    private final LayerSlots[] slots;
    private final int wteSlot;
    private final int wpeSlot;
    private final int finalWeightSlot;
    private final int finalBiasSlot;
    private final UnembeddingLoss unembeddingLoss = new UnembeddingLoss();
    private Activations act;

    public TrainingModel(Parameters parameters) {
        this.parameters = parameters;
        this.config = parameters.config();
        this.gradients = new float[parameters.count()];
        this.slots = new LayerSlots[config.layers()];
        for (int l = 0; l < slots.length; l++) {
            slots[l] = LayerSlots.of(parameters, l);
        }
        wteSlot = parameters.offset("wte.weight");
        wpeSlot = parameters.offset("wpe.weight");
        finalWeightSlot = parameters.offset("ln_f.weight");
        finalBiasSlot = parameters.offset("ln_f.bias");
    }

    public Parameters parameters() {
        return parameters;
    }

    /** The accumulated gradients, laid out like the parameters ({@link Parameters#offset}). */
    public float[] gradients() {
        return gradients;
    }

    public void zeroGradients() {
        int chunk = 1 << 20;
        Parallel.forRange((gradients.length + chunk - 1) / chunk,
                (c0, c1) -> Arrays.fill(gradients, c0 * chunk, Math.min(gradients.length, c1 * chunk), 0f));
    }

    /** {@link #step(int[], int[], int, int, float)} with gradient scale 1. */
    public float step(int[] inputs, int[] targets, int batch, int seq) {
        return step(inputs, targets, batch, seq, 1f);
    }

    /**
     * Forward and backward over {@code batch} sequences of {@code seq} tokens (row-major
     * [batch × seq] in {@code inputs}, next tokens in {@code targets}); adds
     * {@code gradientScale · ∂(mean loss)/∂parameters} to the gradients and returns the mean
     * loss. For k accumulation steps pass {@code gradientScale = 1/k}.
     */
    public float step(int[] inputs, int[] targets, int batch, int seq, float gradientScale) {
        return run(inputs, targets, batch, seq, gradientScale, true);
    }

    /** The mean loss only, for validation: no gradient work, gradients untouched. */
    public float loss(int[] inputs, int[] targets, int batch, int seq) {
        return run(inputs, targets, batch, seq, 0f, false);
    }

    private float run(int[] inputs, int[] targets, int batch, int seq, float gradientScale, boolean backward) {
        check(inputs, targets, batch, seq);
        if (act == null || !act.fits(config, batch, seq)) {
            act = null; // let the old buffers go before the new ones are taken
            act = new Activations(config, batch, seq);
        }
        ModelWeights w = parameters.modelWeights();
        int n = batch * seq;
        int e = config.embd();
        Embedding.forward(inputs, batch, seq, config, w.tokenEmbedding(), w.positionEmbedding(), act.residual[0], act.embeddingRow);
        for (int l = 0; l < config.layers(); l++) {
            blockForward(w.layers().get(l), act.layers[l], act.residual[l], act.residual[l + 1], batch, seq);
        }
        float[] last = act.residual[config.layers()];
        LayerNorm.forward(last, n, e, w.finalNorm().weight(), w.finalNorm().bias(), config.normEps(), act.finalNorm);
        double lossSum = unembeddingLoss.run(act.finalNorm, n, targets, w.unembedding(), gradientScale,
                backward ? act.dNorm : null, gradients, wteSlot);
        if (backward) {
            Arrays.fill(act.dResidual, 0, n * e, 0f);
            normBackward(last, w.finalNorm().weight(), n, finalWeightSlot, finalBiasSlot);
            for (int l = config.layers() - 1; l >= 0; l--) {
                blockBackward(w.layers().get(l), act.layers[l], slots[l], act.residual[l], batch, seq);
            }
            Embedding.backward(inputs, batch, seq, e, act.dResidual, gradients, wteSlot, wpeSlot);
        }
        return (float) (lossSum / n);
    }

    /** x: the block's input [N × E]; out: its output [N × E]; a: what it saves. */
    private void blockForward(LayerWeights w, Activations.Layer a, float[] x, float[] out, int batch, int seq) {
        int n = batch * seq;
        int e = config.embd();
        float eps = config.normEps();
        LayerNorm.forward(x, n, e, w.attentionNorm().weight(), w.attentionNorm().bias(), eps, a.norm1());
        Kernels.linear(a.norm1(), n, w.qkv().weight(), w.qkv().bias(), a.qkv());
        Attention.forward(a.qkv(), batch, seq, config.heads(), e, a.probs(), a.attn());
        Kernels.linear(a.attn(), n, w.attentionOutput().weight(), w.attentionOutput().bias(), act.projection);
        residual(x, act.projection, a.mid(), n * e);
        LayerNorm.forward(a.mid(), n, e, w.mlpNorm().weight(), w.mlpNorm().bias(), eps, a.norm2());
        Kernels.linear(a.norm2(), n, w.mlpUp().weight(), w.mlpUp().bias(), a.fc());
        Gelu.forward(a.fc(), a.gelu(), a.geluExp(), n * config.mlpHidden());
        Kernels.linear(a.gelu(), n, w.mlpDown().weight(), w.mlpDown().bias(), act.projection);
        residual(a.mid(), act.projection, out, n * e);
    }

    /**
     * On entry {@code act.dResidual} is ∂loss/∂(block output) [N × E]; on exit ∂loss/∂(block input).
     * x: the block's input. Each linear y = x·W + b: dx = dy·Wᵀ, dW += xᵀ·dy, db += Σ dy.
     */
    private void blockBackward(LayerWeights w, Activations.Layer a, LayerSlots g, float[] x, int batch, int seq) {
        int n = batch * seq;
        int e = config.embd();
        int hidden = config.mlpHidden();
        float[] dy = act.dResidual;
        // MLP: out = mid + gelu(norm2·Wfc + b)·Wproj + b
        Kernels.linear(dy, n, w.mlpDown().weight().transposed(), null, act.dHidden);
        GradientKernels.weightGradient(a.gelu(), 0, dy, 0, n, hidden, e, gradients, g.mlpDown());
        GradientKernels.biasGradient(dy, 0, n, e, gradients, g.mlpDownBias());
        Gelu.backward(a.fc(), a.geluExp(), act.dHidden, n * hidden);
        Kernels.linear(act.dHidden, n, w.mlpUp().weight().transposed(), null, act.dNorm);
        GradientKernels.weightGradient(a.norm2(), 0, act.dHidden, 0, n, e, hidden, gradients, g.mlpUp());
        GradientKernels.biasGradient(act.dHidden, 0, n, hidden, gradients, g.mlpUpBias());
        normBackward(a.mid(), w.mlpNorm().weight(), n, g.norm2Weight(), g.norm2Bias());
        // attention: mid = x + attention(norm1·Wqkv + b)·Wproj + b
        Kernels.linear(dy, n, w.attentionOutput().weight().transposed(), null, act.dAttn);
        GradientKernels.weightGradient(a.attn(), 0, dy, 0, n, e, e, gradients, g.attnProj());
        GradientKernels.biasGradient(dy, 0, n, e, gradients, g.attnProjBias());
        Attention.backward(act.dAttn, a.qkv(), a.probs(), batch, seq, config.heads(), e, act.dQkv);
        Kernels.linear(act.dQkv, n, w.qkv().weight().transposed(), null, act.dNorm);
        GradientKernels.weightGradient(a.norm1(), 0, act.dQkv, 0, n, e, 3 * e, gradients, g.qkv());
        GradientKernels.biasGradient(act.dQkv, 0, n, 3 * e, gradients, g.qkvBias());
        normBackward(x, w.attentionNorm().weight(), n, g.norm1Weight(), g.norm1Bias());
    }

    /** {@code act.dResidual += ∂/∂x} of a LayerNorm of x whose output gradient is {@code act.dNorm}. */
    private void normBackward(float[] x, float[] gamma, int n, int dGamma, int dBeta) {
        LayerNorm.backward(act.dNorm, x, config.normEps(), gamma, n, config.embd(), act.normMean, act.normRstd,
                act.dResidual, gradients, dGamma, dBeta);
    }

    /** out = x + branch, over n floats. */
    private static void residual(float[] x, float[] branch, float[] out, int n) {
        System.arraycopy(x, 0, out, 0, n);
        Kernels.add(out, branch, n);
    }

    private void check(int[] inputs, int[] targets, int batch, int seq) {
        if (batch < 1 || seq < 1 || seq > config.contextLength()) {
            throw new JgptException("a batch needs at least one sequence of 1.." + config.contextLength()
                    + " tokens, got " + batch + " × " + seq);
        }
        long n = (long) batch * seq;
        if (inputs.length < n || targets.length < n) {
            throw new JgptException("a batch of " + batch + " × " + seq + " needs " + n + " inputs and targets, got "
                    + inputs.length + " and " + targets.length);
        }
        for (int i = 0; i < n; i++) {
            config.checkToken(targets[i]);
        }
    }

    /** Where each of a block's tensors lies in the parameters, gradients and moments. */
    private record LayerSlots(int norm1Weight, int norm1Bias, int qkv, int qkvBias, int attnProj, int attnProjBias,
                              int norm2Weight, int norm2Bias, int mlpUp, int mlpUpBias, int mlpDown, int mlpDownBias) {
        static LayerSlots of(Parameters p, int layer) {
            String h = "h." + layer + ".";
            return new LayerSlots(p.offset(h + "ln_1.weight"), p.offset(h + "ln_1.bias"),
                    p.offset(h + "attn.c_attn.weight"), p.offset(h + "attn.c_attn.bias"),
                    p.offset(h + "attn.c_proj.weight"), p.offset(h + "attn.c_proj.bias"),
                    p.offset(h + "ln_2.weight"), p.offset(h + "ln_2.bias"),
                    p.offset(h + "mlp.c_fc.weight"), p.offset(h + "mlp.c_fc.bias"),
                    p.offset(h + "mlp.c_proj.weight"), p.offset(h + "mlp.c_proj.bias"));
        }
    }
}
