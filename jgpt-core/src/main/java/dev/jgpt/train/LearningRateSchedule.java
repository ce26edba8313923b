package dev.jgpt.train;

import dev.jgpt.JgptException;

/** The learning rate as a pure function of the optimizer step (0 = the first step). */
public sealed interface LearningRateSchedule {

    float at(int step);

    /** The same rate at every step. */
    record Constant(float lr) implements LearningRateSchedule {
        public Constant {
            if (!(lr >= 0)) {
                throw new JgptException("learning rate must be ≥ 0, got " + lr);
            }
        }

        @Override
        public float at(int step) {
            return lr;
        }
    }

    /**
     * Linear warmup to {@code maxLr} over {@code warmupSteps} (step s gets maxLr·(s+1)/warmupSteps),
     * then a half cosine from {@code maxLr} at step {@code warmupSteps} down to {@code minLr} at step
     * {@code decaySteps}, then {@code minLr} for good.
     */
    record WarmupCosine(float maxLr, float minLr, int warmupSteps, int decaySteps) implements LearningRateSchedule {
        public WarmupCosine {
            if (!(minLr >= 0 && minLr <= maxLr)) {
                throw new JgptException("need 0 ≤ min lr ≤ max lr, got " + minLr + " and " + maxLr);
            }
            if (warmupSteps < 0 || decaySteps < warmupSteps) {
                throw new JgptException("need 0 ≤ warmup steps ≤ decay steps, got " + warmupSteps + " and " + decaySteps);
            }
        }

        @Override
        public float at(int step) {
            if (step < warmupSteps) {
                return (float) ((double) maxLr * (step + 1) / warmupSteps);
            }
            if (step >= decaySteps) {
                return minLr;
            }
            double progress = (double) (step - warmupSteps) / (decaySteps - warmupSteps);
            double cosine = 0.5 * (1 + Math.cos(Math.PI * progress));
            return (float) (minLr + cosine * ((double) maxLr - minLr));
        }
    }
}
