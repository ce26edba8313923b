package dev.jgpt.train;

import dev.jgpt.JgptException;

/**
 * The constants of {@link AdamW}; the learning rate is given per step.
 *
 * @param weightDecay decoupled decay, applied to matrices and embeddings (tensors of rank ≥ 2) only
 */
public record AdamWSettings(float beta1, float beta2, float eps, float weightDecay) {

    public AdamWSettings {
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new JgptException("AdamW betas must lie in [0, 1), got " + beta1 + ", " + beta2);
        }
        if (!(eps > 0) || !(weightDecay >= 0)) {
            throw new JgptException("AdamW needs eps > 0 and weight decay ≥ 0, got " + eps + ", " + weightDecay);
        }
    }

    /** GPT-2/nanoGPT's choice: betas 0.9 and 0.95, eps 1e-8, weight decay 0.1. */
    public static AdamWSettings gpt2() {
        return new AdamWSettings(0.9f, 0.95f, 1e-8f, 0.1f);
    }
}
