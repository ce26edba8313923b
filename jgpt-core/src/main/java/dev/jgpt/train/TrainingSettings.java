package dev.jgpt.train;

import dev.jgpt.JgptException;

/**
 * Everything that decides what a training run computes (nanoGPT's config, as plain values).
 *
 * @param batch            sequences per micro-batch
 * @param gradAccum        micro-batches whose gradients add up to one optimizer step
 * @param seq              tokens per sequence (≤ the model's context window)
 * @param steps            optimizer steps in the whole run
 * @param lr               peak learning rate
 * @param minLr            the floor the cosine schedule decays to
 * @param warmup           steps of linear warmup
 * @param cosine           cosine decay after warmup (false: constant lr)
 * @param adamW            optimizer settings (betas, eps, weight decay)
 * @param gradClip         clip gradients to this global norm (0 = off)
 * @param validationFraction the tail of the corpus held out for validation
 * @param evalEvery        steps between validation measurements (0 = only at the end)
 * @param evalBatches      batches averaged per validation measurement
 * @param sampleEvery      steps between text samples (0 = never)
 * @param sampleTokens     tokens per sample
 * @param checkpointEvery  steps between checkpoints (0 = only at the end)
 * @param seed             seed of the initial weights and of the batch order
 * @param batching         how windows are drawn from the corpus
 */
public record TrainingSettings(int batch, int gradAccum, int seq, int steps, float lr, float minLr, int warmup, boolean cosine,
                               AdamWSettings adamW, float gradClip, double validationFraction, int evalEvery, int evalBatches,
                               int sampleEvery, int sampleTokens, int checkpointEvery, long seed, Batching batching) {
    public TrainingSettings {
        positive("batch", batch);
        positive("grad-accum", gradAccum);
        positive("ctx", seq);
        positive("steps", steps);
        positive("eval-batches", evalBatches);
        nonNegative("warmup", warmup);
        nonNegative("eval-every", evalEvery);
        nonNegative("sample-every", sampleEvery);
        nonNegative("sample-tokens", sampleTokens);
        nonNegative("checkpoint-every", checkpointEvery);
        if (!(lr > 0 && Float.isFinite(lr))) {
            throw new JgptException("--lr must be positive, got " + lr);
        }
        if (!(minLr >= 0 && minLr <= lr)) {
            throw new JgptException("--min-lr must be between 0 and --lr (" + lr + "), got " + minLr);
        }
        if (!(gradClip >= 0)) {
            throw new JgptException("--grad-clip must be 0 (off) or positive, got " + gradClip);
        }
        if (!(validationFraction > 0 && validationFraction < 1)) {
            throw new JgptException("--val-fraction must be between 0 and 1 (exclusive), got " + validationFraction);
        }
    }

    /** The learning rate at each step. */
    public LearningRateSchedule schedule() {
        return cosine ? new LearningRateSchedule.WarmupCosine(lr, minLr, Math.min(warmup, steps), steps)
                : new LearningRateSchedule.Constant(lr);
    }

    /** Tokens that one optimizer step trains on. */
    public long tokensPerStep() {
        return (long) batch * gradAccum * seq;
    }

    private static void positive(String name, int value) {
        if (value <= 0) {
            throw new JgptException("--" + name + " must be positive, got " + value);
        }
    }

    private static void nonNegative(String name, int value) {
        if (value < 0) {
            throw new JgptException("--" + name + " must be 0 or more, got " + value);
        }
    }
}
