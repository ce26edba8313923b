package dev.jgpt.server;

/**
 * The log-probability of a sampled token and of the most likely alternatives, under the model's
 * distribution: the softmax of the raw logits, before the sampler's temperature, truncation and
 * penalties (what OpenAI's {@code logprobs} report).
 *
 * @param topIds      the {@code top} most likely ids, most likely first
 * @param topLogprobs their log-probabilities
 */
record TokenLogprob(int id, float logprob, int[] topIds, float[] topLogprobs) {

    /** Log-softmax of {@code logits[0, vocab)} at {@code id}, and the {@code top} best ids (ties: lower id first). */
    static TokenLogprob of(float[] logits, int vocab, int id, int top) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) {
            max = Math.max(max, logits[i]);
        }
        double sum = 0;
        for (int i = 0; i < vocab; i++) {
            sum += Math.exp(logits[i] - max);
        }
        // log p(i) = logit(i) − log Σ exp(logit(j))
        double logNormalizer = max + Math.log(sum);
        int n = Math.min(top, vocab);
        int[] ids = new int[n];
        float[] logprobs = new float[n];
        for (int k = 0; k < n; k++) {
            int best = -1;
            for (int i = 0; i < vocab; i++) {
                if ((best < 0 || logits[i] > logits[best]) && !taken(ids, k, i)) {
                    best = i;
                }
            }
            ids[k] = best;
            logprobs[k] = (float) (logits[best] - logNormalizer);
        }
        return new TokenLogprob(id, (float) (logits[id] - logNormalizer), ids, logprobs);
    }

    private static boolean taken(int[] ids, int count, int id) {
        for (int i = 0; i < count; i++) {
            if (ids[i] == id) {
                return true;
            }
        }
        return false;
    }
}
