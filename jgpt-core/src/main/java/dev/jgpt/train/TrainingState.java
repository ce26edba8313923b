package dev.jgpt.train;

import java.util.List;

/**
 * Where a run stands, saved with every checkpoint so that {@code --resume} continues exactly:
 * the settings, the steps done, the loss history and a fingerprint of the corpus.
 */
public record TrainingState(long step, TrainingSettings settings, CorpusFingerprint corpus,
                            List<LossHistory.StepRecord> steps, List<LossHistory.EvalRecord> evals) {

    /** The loss history up to this state's step. */
    public LossHistory history() {
        LossHistory history = new LossHistory();
        steps.forEach(history::add);
        evals.forEach(history::add);
        history.truncateAfter(step);
        return history;
    }

    /** Identifies a tokenized corpus: a resumed run must read the same tokens. */
    public record CorpusFingerprint(String source, long tokens, long hash) {
        public static CorpusFingerprint of(TokenDataset data) {
            long hash = 1125899906842597L;
            for (int t : data.tokens()) {
                hash = 31 * hash + t;
            }
            return new CorpusFingerprint(data.source(), data.size(), hash);
        }

        public boolean sameTokens(CorpusFingerprint other) {
            return tokens == other.tokens && hash == other.hash;
        }
    }
}
